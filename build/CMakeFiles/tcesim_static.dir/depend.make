# Empty dependencies file for tcesim_static.
# This may be replaced when dependencies are built.
