"""The training-script rules (WU4xx): how a PyTorch script steps, pairs and restores its
schedulers, read with ``ast`` and never run.

``warmup_cli.scripts.checks.check_script`` implements them (the checks live beside the
script reader, which lint does not own), so none has a check here. The tests run every bad
example through it (it fires exactly that rule) and every good one (it is clean).
"""

from __future__ import annotations

from warmup_cli.lint.rules.rule import Rule
from warmup_cli.vocab import Code, Severity

_HEAD = ("import torch\nfrom torch.optim.lr_scheduler import LambdaLR\n\n"
         "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
         "scheduler = LambdaLR(optimizer, lambda e: min(1.0, (e + 1) / 5))\n")


def _epoch_loop(body: str) -> str:
    return _HEAD + "for epoch in range(10):\n" + body


def _rule(code: Code, name: str, severity: Severity, summary: str, explanation: str,
          bad: str, good: str) -> Rule:
    return Rule(code, name, severity, summary, explanation, bad, good,
                example_format="python")


_TRAIN = ("    for x, y in train_loader:\n"
          "        loss = model(x, y)\n        loss.backward()\n        optimizer.step()\n")

_SEQ = ("import torch\nfrom torch.optim.lr_scheduler import (\n"
        "    CosineAnnealingLR, LinearLR, ReduceLROnPlateau, SequentialLR)\n\n"
        "optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)\n")

FAMILY: tuple[Rule, ...] = (
    _rule(
        Code.WU410, "scheduler-before-optimizer", Severity.WARNING,
        "The scheduler is stepped before its own optimizer in the loop that steps both.",
        "Since torch 1.1 `scheduler.step()` belongs after `optimizer.step()`: stepped "
        "first, it moves to the schedule's second value before the first update runs, so "
        "step 0 of the warmup is never used (torch warns once at run time, accelerate "
        "silences the warning). The scheduler is paired with the optimizer it was built "
        "on (a GAN's two schedulers each with their own), calls into helpers of the same "
        "file (`train_one_epoch(model, optimizer, ...)`) are followed one level, and only "
        "torch and transformers schedulers count: diffusers' "
        "`noise_scheduler.step(model_output, t, sample)` and home-made schedulers are "
        "left alone. Silent when the step is guarded by the loop variable "
        "(`if epoch > 0:`) or when any optimizer step runs before it.",
        _epoch_loop("    scheduler.step()\n" + _TRAIN),
        _epoch_loop(_TRAIN + "    scheduler.step()\n")),
    _rule(
        Code.WU411, "epoch-scheduler-stepped-per-batch", Severity.WARNING,
        "A horizon counted in epochs, but `scheduler.step()` runs in the batch loop.",
        "`CosineAnnealingLR(T_max=args.epochs)`, `StepLR(step_size=...epochs)`, a LinearLR "
        "`total_iters=warmup_epochs` stepped once per batch finish their schedule after "
        "that many batches (leftthomas/SRGAN#94, pytorch/vision#1261). The unit of the "
        "horizon comes from its names (`epochs`), the unit of the step from the loop "
        "around it (`for x, y in train_loader`, `enumerate(loader)`, `for step in "
        "range(max_steps)`); a step under a guard inside the batch loop is left alone.",
        "import torch\nfrom torch.optim.lr_scheduler import CosineAnnealingLR\n\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs)\n"
        "for epoch in range(args.epochs):\n" + _TRAIN + "        scheduler.step()\n",
        "import torch\nfrom torch.optim.lr_scheduler import CosineAnnealingLR\n\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs)\n"
        "for epoch in range(args.epochs):\n" + _TRAIN + "    scheduler.step()\n"),
    _rule(
        Code.WU412, "step-scheduler-stepped-per-epoch", Severity.WARNING,
        "A horizon counted in batches, but `scheduler.step()` runs once per epoch.",
        "A transformers factory with `num_training_steps=len(loader) * epochs`, OneCycleLR "
        "built from `steps_per_epoch`, CyclicLR, or any horizon named in steps "
        "(`max_steps`, `total_steps`, `len(train_loader)`) stepped in the epoch loop "
        "stretches its warmup and decay over that many epochs (pytorch/pytorch#65417, "
        "Lightning#5631). A bare `step` in a name is not enough (`args.lr_step` counts "
        "epochs).",
        "import torch\nfrom transformers import get_linear_schedule_with_warmup\n\n"
        "optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)\n"
        "scheduler = get_linear_schedule_with_warmup(\n"
        "    optimizer, num_warmup_steps=100, num_training_steps=len(train_loader) * 3)\n"
        "for epoch in range(3):\n" + _TRAIN + "    scheduler.step()\n",
        "import torch\nfrom transformers import get_linear_schedule_with_warmup\n\n"
        "optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)\n"
        "scheduler = get_linear_schedule_with_warmup(\n"
        "    optimizer, num_warmup_steps=100, num_training_steps=len(train_loader) * 3)\n"
        "for epoch in range(3):\n" + _TRAIN + "        scheduler.step()\n"),
    _rule(
        Code.WU413, "onecycle-past-total-steps", Severity.ERROR,
        "OneCycleLR is stepped more times than the `total_steps` it was built for.",
        "OneCycleLR raises `ValueError: Tried to step X times. The specified number of "
        "total steps is Y` one step past its horizon (A4Bio/PiFold#6, Pointcept#173): "
        "an epoch loop longer than `epochs=`, a `steps_per_epoch` below the batches. "
        "Reported only where the value layer knows both the horizon and every loop's "
        "length (`range(...)`, `len(loader)` given with `--set`).",
        "import torch\nfrom torch.optim.lr_scheduler import OneCycleLR\n\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scheduler = OneCycleLR(optimizer, max_lr=0.1, total_steps=1000)\n"
        "for step in range(1200):\n    optimizer.step()\n    scheduler.step()\n",
        "import torch\nfrom torch.optim.lr_scheduler import OneCycleLR\n\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scheduler = OneCycleLR(optimizer, max_lr=0.1, total_steps=1200)\n"
        "for step in range(1200):\n    optimizer.step()\n    scheduler.step()\n"),
    _rule(
        Code.WU414, "lightning-interval-mismatch", Severity.WARNING,
        "A Lightning `configure_optimizers` returns a scheduler at the wrong interval.",
        "Lightning steps a returned scheduler once per epoch unless its dict says "
        "`\"interval\": \"step\"` (Lightning#3869, #5584, #18570): a per-step scheduler "
        "(a transformers factory, OneCycleLR, a horizon counted in steps such as "
        "`self.trainer.estimated_stepping_batches`) returned bare, in `([opt], [sched])`, "
        "or with `\"interval\": \"epoch\"` runs its warmup over epochs; an epoch-sized "
        "one with `\"interval\": \"step\"` ends after as many batches. Read in classes "
        "deriving from a `lightning`/`pytorch_lightning` class.",
        "import lightning as L\nimport torch\n"
        "from transformers import get_cosine_schedule_with_warmup\n\n\n"
        "class Model(L.LightningModule):\n    def configure_optimizers(self):\n"
        "        optimizer = torch.optim.AdamW(self.parameters(), lr=1e-4)\n"
        "        scheduler = get_cosine_schedule_with_warmup(\n"
        "            optimizer, 500, self.trainer.estimated_stepping_batches)\n"
        "        return {\"optimizer\": optimizer, \"lr_scheduler\": scheduler}\n",
        "import lightning as L\nimport torch\n"
        "from transformers import get_cosine_schedule_with_warmup\n\n\n"
        "class Model(L.LightningModule):\n    def configure_optimizers(self):\n"
        "        optimizer = torch.optim.AdamW(self.parameters(), lr=1e-4)\n"
        "        scheduler = get_cosine_schedule_with_warmup(\n"
        "            optimizer, 500, self.trainer.estimated_stepping_batches)\n"
        "        return {\"optimizer\": optimizer,\n"
        "                \"lr_scheduler\": {\"scheduler\": scheduler, \"interval\": \"step\"}}\n"),
    _rule(
        Code.WU415, "scheduler-ignores-accumulation", Severity.WARNING,
        "`optimizer.step()` is behind a gradient-accumulation guard, the scheduler's step "
        "is not.",
        "With `if (i + 1) % accum == 0: optimizer.step()` (or `if "
        "accelerator.sync_gradients:`) and `scheduler.step()` on every micro-batch, the "
        "schedule runs `accum` times faster than the updates: a 16,000-step warmup became "
        "1,000 (Lightning#1476, accelerate#963, transformers#18436). Not reported for a "
        "scheduler passed through `accelerator.prepare` (its AcceleratedScheduler skips "
        "with the optimizer); Lightning and the HF Trainer step schedulers themselves.",
        _HEAD + "for epoch in range(10):\n"
        "    for i, (x, y) in enumerate(train_loader):\n"
        "        (model(x, y) / accum).backward()\n"
        "        if (i + 1) % accum == 0:\n            optimizer.step()\n"
        "            optimizer.zero_grad()\n        scheduler.step()\n",
        _HEAD + "for epoch in range(10):\n"
        "    for i, (x, y) in enumerate(train_loader):\n"
        "        (model(x, y) / accum).backward()\n"
        "        if (i + 1) % accum == 0:\n            optimizer.step()\n"
        "            optimizer.zero_grad()\n            scheduler.step()\n"),
    _rule(
        Code.WU416, "plateau-step-without-metric", Severity.ERROR,
        "`ReduceLROnPlateau.step()` is called without the metric it monitors.",
        "`ReduceLROnPlateau.step(metrics)` needs the value to watch and raises "
        "`TypeError: missing 1 required positional argument: 'metrics'` without it "
        "(junyanz/pytorch-CycleGAN-and-pix2pix#495, victoresque/pytorch-template#89). The "
        "type comes from the construction (also transformers' "
        "`get_reduce_on_plateau_schedule` and `get_scheduler(\"reduce_lr_on_plateau\", "
        "...)`).",
        "import torch\nfrom torch.optim.lr_scheduler import ReduceLROnPlateau\n\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scheduler = ReduceLROnPlateau(optimizer, patience=3)\n"
        "for epoch in range(10):\n    val_loss = train_and_validate(model, optimizer)\n"
        "    scheduler.step()\n",
        "import torch\nfrom torch.optim.lr_scheduler import ReduceLROnPlateau\n\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "scheduler = ReduceLROnPlateau(optimizer, patience=3)\n"
        "for epoch in range(10):\n    val_loss = train_and_validate(model, optimizer)\n"
        "    scheduler.step(val_loss)\n"),
    _rule(
        Code.WU420, "sequential-milestone-count", Severity.ERROR,
        "SequentialLR's milestones are not one fewer than its schedulers.",
        "SequentialLR switches to the next scheduler at each milestone, so it needs "
        "`len(schedulers) - 1` of them and raises ValueError otherwise "
        "(pytorch/pytorch#67586).",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=95)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5, 50])\n",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=95)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])\n"),
    _rule(
        Code.WU421, "sequential-milestone-not-positive", Severity.WARNING,
        "A SequentialLR milestone is 0 or negative: the scheduler before it never runs.",
        "torch accepts `milestones=[0]` and starts straight with the second scheduler, so "
        "a warmup placed first is skipped entirely without a word.",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=95)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[0])\n",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=95)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])\n"),
    _rule(
        Code.WU422, "sequential-plateau-child", Severity.ERROR,
        "A ReduceLROnPlateau inside SequentialLR.",
        "SequentialLR rejects ReduceLROnPlateau with ValueError, since its step() needs "
        "the metric (pytorch/pytorch#68978); step the plateau scheduler on its own.",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "plateau = ReduceLROnPlateau(optimizer)\n"
        "scheduler = SequentialLR(optimizer, [warmup, plateau], milestones=[5])\n",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=95)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])\n"),
    _rule(
        Code.WU423, "sequential-mixed-optimizers", Severity.ERROR,
        "SequentialLR's children are built on different optimizers.",
        "torch raises ValueError (\"SequentialLR expects all schedulers to belong to the "
        "same optimizer\"). Reported when both optimizers are constructions of the file "
        "and differ.",
        _SEQ + "head = torch.optim.SGD(model.head.parameters(), lr=0.1)\n"
        "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "decay = CosineAnnealingLR(head, T_max=95)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])\n",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=95)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])\n"),
    _rule(
        Code.WU424, "sequential-segment-mismatch", Severity.WARNING,
        "A SequentialLR child's horizon differs from the segment its milestones give it.",
        "At a milestone the next child restarts at its own step 0, whatever the previous "
        "one reached (pytorch/pytorch#185872): a LinearLR warmup with `total_iters` "
        "(default 5) shorter than its milestone holds the LR flat in between, a longer "
        "one is cut off with a jump; a CosineAnnealingLR `T_max` different from its "
        "segment (the milestones' gap, or the run length minus the last milestone when "
        "the loop's length is known) climbs back up or never finishes. Reported where the "
        "values are known.",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=90)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[10])\n",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=10)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=90)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[10])\n"),
    _rule(
        Code.WU425, "child-stepped-twice", Severity.WARNING,
        "A child of SequentialLR or ChainedScheduler is also stepped on its own.",
        "SequentialLR and ChainedScheduler step their children themselves; a child "
        "stepped again by the loop advances twice per step (pytorch/pytorch#162591).",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=95)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])\n"
        "for epoch in range(100):\n    train_one_epoch(model, optimizer)\n"
        "    scheduler.step()\n    warmup.step()\n",
        _SEQ + "warmup = LinearLR(optimizer, start_factor=0.1, total_iters=5)\n"
        "decay = CosineAnnealingLR(optimizer, T_max=95)\n"
        "scheduler = SequentialLR(optimizer, [warmup, decay], milestones=[5])\n"
        "for epoch in range(100):\n    train_one_epoch(model, optimizer)\n"
        "    scheduler.step()\n"),
    _rule(
        Code.WU430, "resume-restarts-warmup", Severity.WARNING,
        "The optimizer is restored from a checkpoint, the scheduler is rebuilt from step "
        "0.",
        "A resumed job that loads `optimizer.load_state_dict(...)` but builds its "
        "scheduler without `last_epoch=` and never calls `scheduler.load_state_dict(...)` "
        "(nor sets `scheduler.last_epoch`) starts the warmup again at the resumed step "
        "(ultralytics/yolov5#292, XPixelGroup/BasicSR#327). Silent for a step replay loop "
        "(`for _ in range(start_epoch): scheduler.step()`), `step(epoch)`, an explicit "
        "`last_epoch` of any value (`-1` is a deliberate restart), a scheduler handed to "
        "a function of another file, and scripts that write `param_group[\"lr\"]` "
        "themselves.",
        _HEAD + "if args.resume:\n    checkpoint = torch.load(args.resume)\n"
        "    model.load_state_dict(checkpoint[\"model\"])\n"
        "    optimizer.load_state_dict(checkpoint[\"optimizer\"])\n",
        _HEAD + "if args.resume:\n    checkpoint = torch.load(args.resume)\n"
        "    model.load_state_dict(checkpoint[\"model\"])\n"
        "    optimizer.load_state_dict(checkpoint[\"optimizer\"])\n"
        "    scheduler.load_state_dict(checkpoint[\"scheduler\"])\n"),
    _rule(
        Code.WU431, "optimizer-restored-before-scheduler", Severity.WARNING,
        "The optimizer state is loaded before the scheduler is built, and nothing restores "
        "the scheduler.",
        "Building a scheduler applies its step-0 factor to every group "
        "(`_initial_step`), overwriting the LR the checkpoint just restored "
        "(pytorch/pytorch#119168). Pass `last_epoch=` (the optimizer state then holds "
        "`initial_lr`) or load the scheduler's state after building it. The same "
        "guards as WU430 apply.",
        "import torch\nfrom torch.optim.lr_scheduler import LambdaLR\n\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "checkpoint = torch.load(\"last.pt\")\n"
        "optimizer.load_state_dict(checkpoint[\"optimizer\"])\n"
        "scheduler = LambdaLR(optimizer, lambda e: min(1.0, (e + 1) / 5))\n",
        "import torch\nfrom torch.optim.lr_scheduler import LambdaLR\n\n"
        "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "checkpoint = torch.load(\"last.pt\")\n"
        "optimizer.load_state_dict(checkpoint[\"optimizer\"])\n"
        "scheduler = LambdaLR(optimizer, lambda e: min(1.0, (e + 1) / 5),\n"
        "                     last_epoch=checkpoint[\"epoch\"])\n"),
    _rule(
        Code.WU440, "step-with-epoch", Severity.NOTE,
        "`scheduler.step(epoch)`: torch's deprecated closed-form path.",
        "Passing the epoch to `step()` is deprecated (torch prints "
        "EPOCH_DEPRECATION_WARNING) and takes each scheduler's `_get_closed_form_lr` "
        "where it has one, which can differ from stepping (pytorch/pytorch#51712, "
        "#31828). A note: the schedule may well be right. Not for ReduceLROnPlateau "
        "(the metric) nor CosineAnnealingWarmRestarts (a fractional epoch is its "
        "documented use), nor a subclass of the file that defines its own step().",
        _epoch_loop(_TRAIN + "    scheduler.step(epoch)\n"),
        _epoch_loop(_TRAIN + "    scheduler.step()\n")),
    _rule(
        Code.WU441, "amp-scaler-before-scheduler", Severity.NOTE,
        "`scaler.step(optimizer)` then `scheduler.step()`: the AMP recipe, and the warning "
        "it may print.",
        "With a GradScaler the optimizer step is skipped when the fp16 gradients "
        "overflow, which is common on the first iterations; torch then warns \"Detected "
        "call of `lr_scheduler.step()` before `optimizer.step()`\" "
        "(pytorch/pytorch#44511, transformers#11106). The order is right and the warning "
        "harmless; this note says so where the pattern is, so that nobody \"fixes\" it.",
        _HEAD + "scaler = torch.amp.GradScaler()\nfor epoch in range(10):\n"
        "    for x, y in train_loader:\n        scaler.scale(model(x, y)).backward()\n"
        "        scaler.step(optimizer)\n        scaler.update()\n"
        "        scheduler.step()\n",
        _HEAD + "for epoch in range(10):\n    for x, y in train_loader:\n"
        "        model(x, y).backward()\n        optimizer.step()\n"
        "        scheduler.step()\n"),
)
