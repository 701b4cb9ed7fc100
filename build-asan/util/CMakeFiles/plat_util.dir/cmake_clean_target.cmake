file(REMOVE_RECURSE
  "libplat_util.a"
)
