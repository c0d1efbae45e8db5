# What the C library is made of and how it is compiled: the one description
# that CMakeLists.txt builds from and scripts/source-dist.cmake writes into
# the source distribution's manifest.json, which the npm, Go and Java builds
# compile from. Change a flag or a dependency here and every build follows.
# Variables only (no targets), so it can be included before project() and in
# `cmake -P` scripts.

# The files, relative to the repository root. They are copied flat into the
# source distribution, so no two may share a name.
set(LAKEBASE_SOURCE_GLOBS core/*.c bindings/src/*.c)
set(LAKEBASE_HEADER_GLOBS core/*.h bindings/src/*.h include/lakebase.h)
# The public contract, the only header a program includes.
set(LAKEBASE_PUBLIC_HEADER include/lakebase.h)

# -std=c11 (no GNU extensions) with POSIX.1-2008 and the BSD/GNU extras
# (_DEFAULT_SOURCE) switched on explicitly.
set(LAKEBASE_C_STANDARD 11)
set(LAKEBASE_C_DEFINES _POSIX_C_SOURCE=200809L _DEFAULT_SOURCE)
# Symbols are hidden unless marked LAKEBASE_API in the public header.
set(LAKEBASE_C_VISIBILITY hidden)
# Warnings the project's own builds use (-Werror in CI); a package build may
# leave them out.
set(LAKEBASE_C_WARNINGS -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wno-missing-field-initializers)

# System libraries, found with pkg-config. Each entry: the pkg-config
# module, the name CMakeLists.txt gives it (target PkgConfig::<name>), and
# the Debian package with its headers and .pc file.
set(LAKEBASE_PKG_CONFIG_DEPENDENCIES
    "libcurl CURL libcurl4-openssl-dev"
    "libpq LIBPQ libpq-dev"
    "openssl OPENSSL libssl-dev"
    "libcjson CJSON libcjson-dev")
# And from the C library itself: threads and libm.
set(LAKEBASE_SYSTEM_LIBS -pthread -lm)

# lakebase_dependency(<entry> <module-out> <name-out> <debian-out>)
function(lakebase_dependency entry module_out name_out debian_out)
  separate_arguments(fields UNIX_COMMAND "${entry}")
  list(GET fields 0 module)
  list(GET fields 1 name)
  list(GET fields 2 debian)
  set(${module_out} ${module} PARENT_SCOPE)
  set(${name_out} ${name} PARENT_SCOPE)
  set(${debian_out} ${debian} PARENT_SCOPE)
endfunction()

# lakebase_library_files(<root> <sources-out> <headers-out>): absolute paths
# of the library's .c files and headers under <root>, sorted.
function(lakebase_library_files root sources_out headers_out)
  foreach(kind SOURCE HEADER)
    set(files "")
    foreach(pattern ${LAKEBASE_${kind}_GLOBS})
      if(CMAKE_SCRIPT_MODE_FILE)
        file(GLOB matched "${root}/${pattern}")
      else()
        file(GLOB matched CONFIGURE_DEPENDS "${root}/${pattern}")
      endif()
      list(APPEND files ${matched})
    endforeach()
    list(SORT files)
    set(${kind}_files ${files})
  endforeach()
  set(${sources_out} ${SOURCE_files} PARENT_SCOPE)
  set(${headers_out} ${HEADER_files} PARENT_SCOPE)
endfunction()
