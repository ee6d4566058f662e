file(REMOVE_RECURSE
  "libtcesim_static.a"
)
