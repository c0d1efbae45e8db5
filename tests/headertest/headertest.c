/* Compiles the public header on its own, pedantic, to prove it is
 * self-contained and free of extensions. */
#include "lakebase.h"

int lakebase_headertest_anchor(void);
int lakebase_headertest_anchor(void) { return LAKEBASE_VERSION_NUMBER; }
