# Sourced by the tests that install the packages as a new user would: they
# prove that the npm package, the Go module and an installed C library work
# on a machine where liblakebase is not installed, with none of the
# variables that would point a build or the loader at one.
unset PKG_CONFIG_PATH PKG_CONFIG_LIBDIR LD_LIBRARY_PATH CGO_CFLAGS CGO_LDFLAGS
if pkg-config --exists lakebase; then
    echo "liblakebase is installed where pkg-config finds it" \
        "($(pkg-config --variable=pcfiledir lakebase)/lakebase.pc): these tests" \
        "prove the install routes without it; remove it" >&2
    exit 1
fi
if /sbin/ldconfig -p | grep -q 'liblakebase\.so'; then
    echo "liblakebase is in the loader's cache (ldconfig -p): these tests prove" \
        "the install routes without it; remove it and run ldconfig" >&2
    exit 1
fi
