file(REMOVE_RECURSE
  "libplat_layers.a"
)
