"""Training (part 14): full-batch gradient descent, monitoring, stopping rules, presets.

One module per concern, every public name importable from here:

- :mod:`~handbp.training.history`: what a run records (:class:`Curves`, :class:`Stop`,
  :class:`History`, :class:`Training`, :class:`Progress`, :class:`TrainingDiverged`);
- :mod:`~handbp.training.rules`: when it stops (:class:`TargetMSE`,
  :class:`TargetAccuracy`, :class:`Plateau`, :class:`EarlyStopping`, a function of your
  own called every epoch through :class:`EveryEpoch`, and :class:`Divergence`);
- :mod:`~handbp.training.engines`: what runs the epochs (:class:`SimpleEngine`, the
  catalogue's functions; :class:`FastEngine`, the same in place);
- :mod:`~handbp.training.loop`: :func:`train`, the engine's epochs watched block by block;
- :mod:`~handbp.training.fitting`: :func:`fit`, any net of :mod:`handbp.nn` trained by
  mini-batches with an optimizer (its epochs in :mod:`~handbp.training.minibatch`);
- :mod:`~handbp.training.diagnostics`: saturated layers, exploding and vanishing
  gradients, a stalled loss, each said in words with what to try;
- :mod:`~handbp.training.judging`: :func:`evaluate` and :func:`confusion_matrix`;
- :mod:`~handbp.training.presets`: the series' runs (:data:`PRESETS`, :func:`run_setup`);
- :mod:`~handbp.training.files`: weights on disk (:func:`save_weights`, :func:`load_weights`);
- :mod:`~handbp.training.setups`: runs of :func:`fit` on the digits or Iris
  (:class:`FitSetup`, :data:`FIT_PRESETS`, :func:`run_fit`);
- :mod:`~handbp.training.output`: a run's output folder (:func:`write_run`,
  :func:`write_fit_run`).

:class:`~handbp.network.Weights`, what :func:`train` returns and :func:`save_weights`
takes, is importable from here too.
"""

from handbp.network import Weights
from handbp.training.diagnostics import Diagnosis, Diagnostics, Finding, Watcher, saturation
from handbp.training.engines import ENGINES, Engine, FastEngine, SimpleEngine
from handbp.training.files import (
    LoadedNet,
    LoadedWeights,
    is_net_file,
    load_net,
    load_weights,
    save_net,
    save_weights,
)
from handbp.training.fitting import Fitted, fit
from handbp.training.history import Curves, History, Progress, Stop, Training, TrainingDiverged
from handbp.training.judging import Evaluation, confusion_matrix, evaluate
from handbp.training.loop import BLOCK_EPOCHS, HeldOut, train
from handbp.training.minibatch import EPOCHS, CatalogueEpoch, FastEpoch
from handbp.training.output import (
    FIT_FILES,
    OUTPUT_FILES,
    fit_summary,
    history_csv,
    summary,
    write_fit_run,
    write_run,
)
from handbp.training.presets import PRESETS, Preset, Run, RunSetup, preset, run_setup
from handbp.training.rules import (
    WATCHED,
    Check,
    Divergence,
    EarlyStopping,
    EpochRecord,
    EveryEpoch,
    Plateau,
    StoppingRule,
    TargetAccuracy,
    TargetMSE,
)
from handbp.training.setups import (
    DATA_SETS,
    FIT_PRESETS,
    FitPreset,
    FitRun,
    FitSetup,
    judge,
    run_fit,
)

__all__ = [
    "BLOCK_EPOCHS",
    "DATA_SETS",
    "ENGINES",
    "EPOCHS",
    "FIT_FILES",
    "FIT_PRESETS",
    "OUTPUT_FILES",
    "PRESETS",
    "WATCHED",
    "CatalogueEpoch",
    "Check",
    "Curves",
    "Diagnosis",
    "Diagnostics",
    "Divergence",
    "EarlyStopping",
    "Engine",
    "EpochRecord",
    "Evaluation",
    "EveryEpoch",
    "FastEngine",
    "FastEpoch",
    "Finding",
    "FitPreset",
    "FitRun",
    "FitSetup",
    "Fitted",
    "HeldOut",
    "History",
    "LoadedNet",
    "LoadedWeights",
    "Plateau",
    "Preset",
    "Progress",
    "Run",
    "RunSetup",
    "SimpleEngine",
    "Stop",
    "StoppingRule",
    "TargetAccuracy",
    "TargetMSE",
    "Training",
    "TrainingDiverged",
    "Watcher",
    "Weights",
    "confusion_matrix",
    "evaluate",
    "fit",
    "fit_summary",
    "history_csv",
    "is_net_file",
    "judge",
    "load_net",
    "load_weights",
    "preset",
    "run_fit",
    "run_setup",
    "saturation",
    "save_net",
    "save_weights",
    "summary",
    "train",
    "write_fit_run",
    "write_run",
]
