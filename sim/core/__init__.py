"""The simulator's foundations: typed parameters, agent pools, random draws, logit choice, memory
tuning and the input-error type. Imports no other part of ``sim``."""
