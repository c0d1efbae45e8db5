{
  "targets": [
    {
      "target_name": "lakebase",
      "sources": ["src/addon.cc", "src/convert.cc", "src/pool.cc", "src/lease.cc", "src/credentials.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "cflags_cc": ["<!@(pkg-config --cflags lakebase)", "-std=c++17", "-Wall", "-Wextra"],
      "libraries": [
        "<!@(pkg-config --libs lakebase)",
        "-Wl,-rpath,<!(pkg-config --variable=libdir lakebase)"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"]
    }
  ]
}
