file(REMOVE_RECURSE
  "libplat_gis.a"
)
