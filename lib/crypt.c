/*
 * crypt.c: starting libgcrypt (see crypt.h).
 */
#include <gcrypt.h>

#include "crypt.h"

int
fk_crypt_init(size_t secmem, struct fk_err *e)
{
	if (gcry_check_version(GCRYPT_VERSION) == NULL)
		return fk_fail(e, FK_EX_SOFTWARE, "libgcrypt is older than %s",
		    GCRYPT_VERSION);
	if (secmem == 0) {
		gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	} else {
		gcry_control(GCRYCTL_SUSPEND_SECMEM_WARN);
		gcry_control(GCRYCTL_INIT_SECMEM, secmem, 0);
		gcry_control(GCRYCTL_RESUME_SECMEM_WARN);
	}
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	return 0;
}
