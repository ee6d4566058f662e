# Empty compiler generated dependencies file for tcesim.
# This may be replaced when dependencies are built.
