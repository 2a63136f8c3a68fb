"""Targets derived from subject metadata: age groups, gender + age-group labels.

- :class:`AgeGroups`: ages → age-group labels (presets ``"peta"``,
  ``"riaz"``, ``"sisfall"``), a scikit-learn transformer usable as a target
  transform; ``inverse_transform`` gives each group's age range;
- :class:`AgeGroupRegressor`: an age regressor that predicts the age group
  first, then that group's age (for ages in separate groups, as SisFall's);
- :func:`make_gender_age_target`: the multi-label gender + age-group target
  of Chatzitzisi et al. (2020), §2.3 from windows' metadata.
"""

from ._age_groups import AGE_GROUP_PRESETS, AgeGroups, make_gender_age_target
from ._age_regressor import AgeGroupRegressor

__all__ = ["AGE_GROUP_PRESETS", "AgeGroupRegressor", "AgeGroups", "make_gender_age_target"]
