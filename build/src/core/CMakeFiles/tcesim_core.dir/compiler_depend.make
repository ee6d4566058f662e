# Empty compiler generated dependencies file for tcesim_core.
# This may be replaced when dependencies are built.
