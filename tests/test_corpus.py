"""``warmup lint`` on the 40 real configs of ../shared/corpus (INDEX.md describes them).

The whole directory is linted in one ``warmup lint`` subprocess and through the library, and
the two must agree. Every file either yields a schedule, or a located finding that says why
it cannot (WU308, WU001), or is one of the few files no extractor claims (listed below, with
the reason); the suspicious files yield the findings INDEX.md expects, the clean controls
no error. The exact codes per file are pinned in :data:`EXPECTED` so that a change in any
reader shows up here. Directory discovery skips the Markdown excerpt (only .yaml, .yml, .json,
.toml and .py files are configs); named explicitly it is a WU001.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import CORPUS, WARMUP, needs_corpus
from warmup_cli.configs.discover import CONFIG_SUFFIXES
from warmup_cli.configs.document import load_document
from warmup_cli.lint.extract import extractors_for
from warmup_cli.lint.runner import lint
from warmup_cli.lint.settings import Settings

pytestmark = needs_corpus

E, W, N = "error", "warning", "note"
# file -> the (code, severity) of every finding, sorted. Sources of the expectations: INDEX.md's
# "Suspicious?" column, checked against each framework's code (see the readers' docstrings).
EXPECTED: dict[str, list[tuple[str, str]]] = {
    # custom keys read by the example's own script (warmup_proportion): located, not read
    "deepspeed__microsoft_DeepSpeedExamples__bing-bert-large-lamb-warmup-proportion.json":
        [("WU308", N)],
    # WarmupLR from warmup_min_lr 0: the constructor and iteration 0 both run at LR 0
    "deepspeed__microsoft_DeepSpeedExamples__cifar-warmuplr-min0.json": [("WU302", N)],
    # cycle_max_lr 0.015 against optimizer lr 0.001
    "deepspeed__microsoft_DeepSpeedExamples__qanet-onecycle.json": [("WU304", W)],
    # four "auto" values, filled by the HF integration at launch
    "deepspeed__tatsu-lab_stanford_alpaca__default-offload-warmupdecaylr-auto.json":
        [("WU308", N)] * 4,
    "detectron2__facebookresearch_detectron2__base-rcnn-fpn.yaml": [],  # clean control
    # five multipliers computed by a function of the file
    "detectron2__facebookresearch_detectron2__lazyconfig-coco-schedule.py": [("WU308", N)] * 5,
    # its _BASE_ (../Base-RCNN-FPN.yaml) is not beside it in the flat corpus; see below
    "detectron2__facebookresearch_detectron2__mask-rcnn-training-acc-test.yaml":
        [("WU308", N)],
    # a group file: the 2020 cosine takes lr (the floor) from optimization.lr
    "fairseq__facebookresearch_fairseq__hydra-2020-lr-scheduler-cosine.yaml": [("WU308", N)] * 2,
    # warmup_init_lr -1 becomes 0: the first update runs at LR 0
    "fairseq__facebookresearch_fairseq__hydra-2020-lr-scheduler-inverse-sqrt.yaml":
        [("WU302", N), ("WU308", N)],
    "fairseq__facebookresearch_fairseq__roberta-finetuning-rte.yaml": [("WU302", N), ("WU305", W)],
    "fairseq__facebookresearch_fairseq__wav2vec-base-960h-tristage-ratio.yaml": [],
    # 8000 + 0 + 200000 > max_update 200000
    "fairseq__facebookresearch_fairseq__wav2vec-vox-960h-2-tristage.yaml": [("WU307", W)],
    # constant ignores warmup_ratio
    "hf-axolotl__axolotl-ai-cloud_axolotl__deepseek-v4-constant-with-warmup-ratio.yaml":
        [("WU303", W)],
    # 2 of 5 steps warm up (the generic WU109), max_steps and num_epochs both set
    "hf-axolotl__axolotl-ai-cloud_axolotl__llama-1b-ebft-strided.yaml":
        [("WU109", W), ("WU302", W), ("WU305", W)],
    "hf-axolotl__axolotl-ai-cloud_axolotl__qwen3-30b-ep-lora-float-warmup-steps.yaml":
        [("WU302", N)],
    # an empty lr_scheduler with warmup_ratio; the run length is left to the dataset
    "hf-axolotl__axolotl-ai-cloud_axolotl__replit-3b-lora-empty-scheduler.yml":
        [("WU303", W), ("WU308", N)],
    "hf-axolotl__axolotl-ai-cloud_axolotl__tinyllama-pretrain.yml": [("WU302", N), ("WU305", W)],
    "hf-llamafactory__hiyouga_LLaMA-Factory__megatron-bridge-llama3-sft.yaml":
        [("WU302", N), ("WU305", W)],
    "hf-llamafactory__hiyouga_LLaMA-Factory__qwen3-lora-sft.yaml": [("WU308", N)],  # clean
    "hf-trl__huggingface_alignment-handbook__smollm3-sft-cosine-min-lr.excerpt.yaml":
        [("WU308", N)],
    "hf-trl__huggingface_alignment-handbook__zephyr-141b-orpo-inverse-sqrt.yaml": [("WU302", N)],
    "hf-trl__huggingface_alignment-handbook__zephyr-7b-beta-sft-full.yaml": [("WU308", N)],
    # audiocraft counts steps from 1 (warmup_init_lr 0 gives lr/3000 first, not 0); two entries
    # of its defaults list are not at hand beside it, so the schedule is not resolved
    "hydra__facebookresearch_audiocraft__audiogen-base-inverse-sqrt-init0.yaml":
        [("WU308", N), ("WU308", N)],
    # the ${eval:...} that shells out; its timm-style Hydra block is not read (see below)
    "lambda__HazyResearch_safari__pile-base-eval-expressions.yaml": [("WU002", E)],
    # LambdaLR over the project's own class (lr 1.0 is right for it): nothing to read
    "lambda__fishaudio_fish-diffusion__warmup-cosine-lambdalr.py": [("WU308", N)],
    # lr_warmup_steps 200 > max_steps 100; litgpt's step / warmup starts at 0
    "lightning-cli__Lightning-AI_litgpt__phi-2-full-warmup-gt-max-steps.yaml":
        [("WU301", E), ("WU302", N)],
    "lightning-cli__genbio-ai_ModelGenerator__contact-prediction-constantwithwarmup-ratio0.yaml":
        [("WU308", N)],
    "lightning-cli__genbio-ai_ModelGenerator__dms-substitution-lora-cosinewithwarmup.yaml":
        [("WU308", N)],
    "lightning-cli__genbio-ai_ModelGenerator__rna-ss-linearlr-decay.yaml": [],
    # an overlay: the optimizer lr is in its base file
    "lightning-cli__speediedan_finetuning-scheduler__explicit-reinit-linearlr.yaml":
        [("WU308", N)],
    "lightning-cli__speediedan_finetuning-scheduler__fts-defaults.yaml": [],
    # five values that depend on os.getenv
    "mmengine__SimonBon_MCA__train-cfg-conditional-expr.py": [("WU308", N)] * 5,
    # per-iteration warmup beside per-epoch decay: needs the epoch length (clean control)
    "mmengine__open-mmlab_mmdetection__schedule-1x.py": [("WU308", N)],
    "mmengine__open-mmlab_mmselfsup__adamw-coslr-300e-legacy-mmcv-lr-config.py": [("WU308", N)],
    "mmengine__open-mmlab_mmselfsup__adamw-coslr-300e.py": [("WU308", N)],
    # its _base_ file is not at hand, two _base_ references; warmup ends at iteration 30, the
    # cosine begins at epoch 20 and runs its T_max 20 = end - begin in full: RTMDet's
    # deliberate hold at the peak, a note
    "mmengine__open-mmlab_mmyolo__rtmdet-tiny-40e-cat.py": [("WU308", N), ("WU308", N),
                                                           ("WU308", N), ("WU309", N)],
    # T_max 35 over 30 epochs (a cosine sized to start earlier), a 3 -> 5 gap, its _base_ not
    # at hand, one _base_ reference
    "mmengine__open-mmlab_mmyolo__yolox-s-40e-cat-quadratic-warmup.py":
        [("WU306", W), ("WU308", N), ("WU308", N), ("WU309", W)],
    # clean control; lr_ep is MambaVision's own flag that picks per-update or per-epoch
    # stepping in its train.py, which the timm reader does not read: a located note
    "timm__NVlabs_MambaVision__mambavision-tiny-1k.yaml": [("WU308", N)],
    "timm__microsoft_Swin-Transformer__swin-base-384-finetune-yacs.yaml": [],
}
# Files no extractor yields a schedule from and that have no WU308/WU001 either, with why: a
# new file (or a reader that stops recognising one) must be looked at, not pass silently.
# Files with no schedule to read and no WU308/WU001 saying so. bing-bert (the example's own
# warmup_proportion keys) and fish-diffusion (LambdaLR over the project's own class) get a
# located WU308 "a layout no reader knows" at their schedule-like keys instead.
NOTHING_TO_READ = {
    "lambda__HazyResearch_safari__pile-base-eval-expressions.yaml":
        "timm CosineLRScheduler kwargs in a Hydra block (t_initial, warmup_t): not read by the "
        "timm reader; the file's WU002 is about its ${eval:...} text",
}
CLEAN_CONTROLS = (
    "hf-trl__huggingface_alignment-handbook__zephyr-7b-beta-sft-full.yaml",
    "hf-llamafactory__hiyouga_LLaMA-Factory__qwen3-lora-sft.yaml",
    "timm__NVlabs_MambaVision__mambavision-tiny-1k.yaml",
    "mmengine__open-mmlab_mmdetection__schedule-1x.py",
    "detectron2__facebookresearch_detectron2__base-rcnn-fpn.yaml",
)
MARKDOWN = "lambda__kzhoa_qqtools__qconfig-doc-lambda-and-warmup.excerpt.md"
# Corpus files whose reader steps real torch classes (the documented exception).
TORCH_FILES = (
    "lightning-cli__Lightning-AI_litgpt__phi-2-full-warmup-gt-max-steps.yaml",
    "lightning-cli__genbio-ai_ModelGenerator__rna-ss-linearlr-decay.yaml",
    "lightning-cli__speediedan_finetuning-scheduler__explicit-reinit-linearlr.yaml",
    "lightning-cli__speediedan_finetuning-scheduler__fts-defaults.yaml",
)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.suffix in CONFIG_SUFFIXES)


def found_by_file(items: list[tuple[str, str, str]]) -> dict[str, list[tuple[str, str]]]:
    """(file name, code, severity) -> file name: sorted (code, severity)."""
    by_file: dict[str, list[tuple[str, str]]] = {p.name: [] for p in corpus_files()}
    for name, code, severity in items:
        by_file[name].append((code, severity))
    return {name: sorted(found) for name, found in by_file.items()}


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, list[dict[str, object]],
                                                                 str]:
    """One ``warmup lint CORPUS --output-format json`` run, outside any pyproject.toml."""
    cwd = tmp_path_factory.mktemp("cwd")
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "NO_COLOR"}}
    result = subprocess.run([str(WARMUP), "lint", str(CORPUS), "--output-format", "json"],
                            capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    return result.returncode, json.loads(result.stdout), result.stderr


@pytest.fixture(scope="module")
def library_run() -> list[tuple[str, str, str, int, int, str]]:
    report = lint([str(CORPUS)], Settings())
    return [(d.path, d.code, d.severity.value, d.start.line, d.start.column, d.message)
            for d in report.diagnostics]


def test_the_expectations_cover_every_corpus_file() -> None:
    assert sorted(EXPECTED) == [p.name for p in corpus_files()]
    assert len(EXPECTED) == 39  # 40 samples, one of them Markdown
    assert (CORPUS / MARKDOWN).is_file()


def test_one_cli_run_lints_the_corpus_without_a_traceback(
        cli_run: tuple[int, list[dict[str, object]], str]) -> None:
    code, data, stderr = cli_run
    assert "Traceback" not in stderr and stderr == ""
    assert code == 2  # safari's ${eval:...} shell-out is a WU002: an input not linted safely
    assert not any(str(d["filename"]).endswith(".md") for d in data)  # discovery skips it
    found = found_by_file([(Path(str(d["filename"])).name, str(d["code"]), str(d["severity"]))
                           for d in data])
    assert found == EXPECTED


def test_the_library_agrees_with_the_cli(
        cli_run: tuple[int, list[dict[str, object]], str],
        library_run: list[tuple[str, str, str, int, int, str]]) -> None:
    _, data, _ = cli_run
    from_cli = [(str(d["filename"]), str(d["code"]), str(d["severity"]),
                 d["location"]["row"], d["location"]["column"], str(d["message"]))  # type: ignore[index]
                for d in data]
    assert from_cli == library_run


def test_every_file_yields_a_schedule_or_says_why_not(
        library_run: list[tuple[str, str, str, int, int, str]]) -> None:
    settings = Settings()
    extractors = extractors_for(settings.schedule_keys)
    explained = {Path(path).name for path, code, *_ in library_run
                 if code in ("WU308", "WU001")}
    silent = []
    for path in corpus_files():
        doc = load_document(path)
        subjects = [s for extractor in extractors for s in extractor(doc)]
        if not any(s.schedule is not None for s in subjects) and path.name not in explained:
            silent.append(path.name)
    assert sorted(silent) == sorted(NOTHING_TO_READ)


def test_every_finding_is_located_inside_its_file(
        library_run: list[tuple[str, str, str, int, int, str]]) -> None:
    for path, code, _, line, column, message in library_run:
        rows = Path(path).read_text().splitlines()
        assert 1 <= line <= len(rows), (path, code, line)
        assert 1 <= column <= len(rows[line - 1]) + 1, (path, code, line, column)
        assert message and "Traceback" not in message


def located(library_run: list[tuple[str, str, str, int, int, str]], name: str,
            code: str) -> list[str]:
    """The source lines the ``code`` findings of file ``name`` point at."""
    rows = (CORPUS / name).read_text().splitlines()
    return [rows[line - 1] for path, c, _, line, _, _ in library_run
            if Path(path).name == name and c == code]


def test_suspicious_files_point_at_the_responsible_key(
        library_run: list[tuple[str, str, str, int, int, str]]) -> None:
    def at(name: str, code: str) -> str:
        (row,) = located(library_run, name, code)
        return row.strip()

    assert at("deepspeed__microsoft_DeepSpeedExamples__cifar-warmuplr-min0.json",
              "WU302").startswith('"warmup_min_lr": 0')
    assert at("deepspeed__microsoft_DeepSpeedExamples__qanet-onecycle.json",
              "WU304").startswith('"cycle_max_lr"')
    assert at("hf-axolotl__axolotl-ai-cloud_axolotl__deepseek-v4-constant-with-warmup-ratio"
              ".yaml", "WU303").startswith("warmup_ratio:")
    assert at("hf-axolotl__axolotl-ai-cloud_axolotl__replit-3b-lora-empty-scheduler.yml",
              "WU303").startswith("lr_scheduler:")
    for name in ("hf-axolotl__axolotl-ai-cloud_axolotl__tinyllama-pretrain.yml",
                 "hf-llamafactory__hiyouga_LLaMA-Factory__megatron-bridge-llama3-sft.yaml"):
        assert at(name, "WU305").startswith("max_steps:")
    assert at("lightning-cli__Lightning-AI_litgpt__phi-2-full-warmup-gt-max-steps.yaml",
              "WU301").startswith("lr_warmup_steps: 200")
    assert at("fairseq__facebookresearch_fairseq__hydra-2020-lr-scheduler-inverse-sqrt.yaml",
              "WU302").startswith("warmup_init_lr: -1")
    assert at("fairseq__facebookresearch_fairseq__wav2vec-vox-960h-2-tristage.yaml",
              "WU307").startswith("decay_steps: 200000")
    yolox = "mmengine__open-mmlab_mmyolo__yolox-s-40e-cat-quadratic-warmup.py"
    assert at(yolox, "WU306").startswith("T_max=")
    assert at(yolox, "WU309").startswith("begin=5")
    safari = at("lambda__HazyResearch_safari__pile-base-eval-expressions.yaml", "WU002")
    assert safari.startswith("gpu_mem:") and "__import__" in safari
    for row in located(library_run, "deepspeed__tatsu-lab_stanford_alpaca__default-offload-"
                       "warmupdecaylr-auto.json", "WU308"):
        assert '"auto"' in row


def test_clean_controls_have_no_errors_or_warnings(
        library_run: list[tuple[str, str, str, int, int, str]]) -> None:
    for path, code, severity, *_ in library_run:
        if Path(path).name in CLEAN_CONTROLS:
            assert severity == "note", (path, code)


def test_detectron2_base_is_followed_when_it_is_where_the_child_says(tmp_path: Path) -> None:
    base = tmp_path / "configs" / "Base-RCNN-FPN.yaml"
    child = tmp_path / "configs" / "quick_schedules" / "mask_rcnn_R_50_FPN_training_acc_test.yaml"
    child.parent.mkdir(parents=True)
    shutil.copy(CORPUS / "detectron2__facebookresearch_detectron2__base-rcnn-fpn.yaml", base)
    shutil.copy(CORPUS / "detectron2__facebookresearch_detectron2__mask-rcnn-training-acc-test"
                ".yaml", child)
    assert lint([str(child)], Settings()).diagnostics == []


def test_hf_files_resolve_with_a_horizon() -> None:
    # --horizon supplies the run length HF leaves to the dataset size: WU308 becomes a plan.
    name = "hf-trl__huggingface_alignment-handbook__zephyr-7b-beta-sft-full.yaml"
    found = lint([str(CORPUS / name)], Settings(horizon=1000)).diagnostics
    assert [(d.code, d.severity.value) for d in found] == [("WU302", "note")]
    assert "1 of the 100 warmup steps" in found[0].message  # ceil(0.1 x 1000)


def test_the_markdown_excerpt_named_explicitly_is_unreadable() -> None:
    (hit,) = lint([str(CORPUS / MARKDOWN)], Settings()).diagnostics
    assert hit.code == "WU001" and "unsupported file type '.md'" in hit.message


def test_linting_non_lightning_configs_never_imports_torch(tmp_path: Path) -> None:
    files = [str(p) for p in corpus_files() if p.name not in TORCH_FILES]
    code = (
        "import sys\n"
        "import warmup_cli.cli.lint\n"
        "from warmup_cli.cli import app\n"
        "from typer.testing import CliRunner\n"
        # --jobs 1: the files are linted in this process, whose modules are looked at
        f"r = CliRunner().invoke(app, ['lint', '--isolated', '--jobs', '1', *{files!r}])\n"
        "print(r.exit_code, sorted(m for m in ('torch', 'plotext', 'transformers')"
        " if m in sys.modules), 'warmup_cli.frameworks.lightning' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, check=True)
    # every reader ran (Lightning's too, on the third-party-class files), torch stayed out
    assert result.stdout.split("\n")[-2] == "2 [] True"
    assert Counter(Path(f).name.split("__")[0] for f in files)["lightning-cli"] == 2
