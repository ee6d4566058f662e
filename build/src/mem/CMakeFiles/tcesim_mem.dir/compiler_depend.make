# Empty compiler generated dependencies file for tcesim_mem.
# This may be replaced when dependencies are built.
