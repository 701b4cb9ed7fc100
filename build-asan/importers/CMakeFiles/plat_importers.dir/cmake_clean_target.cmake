file(REMOVE_RECURSE
  "libplat_importers.a"
)
