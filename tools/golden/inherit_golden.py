"""Golden merged configs for warmup_cli's config inheritance, made by the frameworks' own code.

Sources (run, not re-typed):
  * mmengine 0.10.7 (``mmengine.config.Config.fromfile``: ``_base_`` files, ``_delete_``,
    ``{{ _base_.x }}`` and ``_base_.x``, open-mmlab/mmengine ``mmengine/config/config.py``);
  * hydra-core 1.3.2 with its omegaconf (``hydra.compose`` of each primary config in its
    config folder: defaults lists, ``override``, ``_self_``, ``# @package`` headers), with
    ``version_base="1.1"``, under which a ``# @package _group_`` header still means the
    group's own package (fairseq's group files use it; from 1.2 on it is a literal key).

Every config of ``tests/fixtures/inherit`` that the tests compare is composed here and written
as plain JSON (tuples as lists; Hydra's interpolations unresolved, as warmup_cli keeps them).

Usage (in a virtual environment of its own; the project's venv has neither package):
    python -m venv /tmp/golden && /tmp/golden/bin/pip install mmengine==0.10.7 hydra-core==1.3.2
    /tmp/golden/bin/python tools/golden/inherit_golden.py [--check]
Writes tests/golden/inherit_merged.json.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from _common import REPO, golden_json, write_documents

FIXTURES = REPO / "tests" / "fixtures" / "inherit"
MMENGINE = [
    "mmdet/configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py",
    "mmdet/configs/faster_rcnn/faster-rcnn_r50_fpn_2x_coco.py",
    "mmdet/configs/faster_rcnn/faster-rcnn_r50_fpn_cosine-adamw_coco.py",
    "mmdet/configs/faster_rcnn/faster-rcnn_r50_fpn_1x_coco-lr-var.py",
    "mmdet/configs/retinanet/retinanet_r50_fpn_cos-12e.py",
    "mmdet/configs/yaml/faster-rcnn_r50_fpn_1x_coco-yaml.yaml",
]
# (config folder, primary config, command-line overrides): composed as Hydra composes them;
# audiocraft selects its solver on the command line (dora run solver=audiogen/...)
HYDRA = [
    ("fairseq/config", "config", ()),
    ("fairseq/config", "tri_stage_60k", ()),
    ("audiocraft/config", "config", ()),
    ("audiocraft/config", "config", ("solver=audiogen/audiogen_base_16khz",)),
]


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def mmengine_config(path: Path) -> Any:
    from mmengine.config import Config

    return plain(Config.fromfile(str(path), format_python_code=False).to_dict())


def hydra_config(folder: Path, name: str, overrides: tuple[str, ...]) -> Any:
    from hydra import compose, initialize_config_dir
    from omegaconf import OmegaConf

    with initialize_config_dir(config_dir=str(folder), version_base="1.1"):
        cfg = compose(config_name=name, overrides=list(overrides))
    return plain(OmegaConf.to_container(cfg, resolve=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare with the files")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    cases: dict[str, Any] = {}
    for relative in MMENGINE:
        cases[relative] = mmengine_config(FIXTURES / relative)
    for folder, name, overrides in HYDRA:
        key = " ".join((f"{folder}/{name}.yaml", *overrides))
        cases[key] = hydra_config(FIXTURES / folder, name, overrides)
    text = golden_json({"source": "tools/golden/inherit_golden.py", "configs": cases})
    return write_documents({"inherit_merged.json": text}, args.check)


if __name__ == "__main__":
    sys.exit(main())
