{
  "targets": [
    {
      # The C library, compiled from deps/ (the source distribution) with
      # its manifest's flags, linked into the addon only.
      "target_name": "lakebase_core",
      "type": "static_library",
      "sources": ["<!@(node scripts/gyp.js sources)"],
      "include_dirs": ["deps"],
      "defines": ["<!@(node scripts/gyp.js defines)"],
      "cflags_c": ["<!@(node scripts/gyp.js cflags)", "<!@(node scripts/gyp.js pkg-cflags)"]
    },
    {
      "target_name": "lakebase",
      "dependencies": ["lakebase_core"],
      "sources": ["src/addon.cc", "src/convert.cc", "src/pool.cc", "src/lease.cc", "src/credentials.cc", "src/pool_set.cc", "src/metrics.cc", "src/token_source.cc", "src/span_listener.cc"],
      "include_dirs": ["deps", "<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-missing-field-initializers"],
      # The system libraries are linked dynamically, the C library
      # statically; exports.map exports only the N-API entry points.
      "libraries": ["<!@(node scripts/gyp.js libs)"],
      "ldflags": ["-Wl,--version-script=<(module_root_dir)/exports.map"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
