/* pam_sls - the common library, all of it. */
#ifndef SLS_H
#define SLS_H

#include "sls_attempt.h"
#include "sls_codec.h"
#include "sls_config.h"
#include "sls_devtype.h"
#include "sls_enroll.h"
#include "sls_error.h"
#include "sls_file.h"
#include "sls_flow.h"
#include "sls_i18n.h"
#include "sls_log.h"
#include "sls_ocra.h"
#include "sls_otp.h"
#include "sls_phone.h"
#include "sls_pin.h"
#include "sls_policy.h"
#include "sls_qr.h"
#include "sls_random.h"
#include "sls_secret.h"
#include "sls_sms.h"
#include "sls_state.h"
#include "sls_text.h"
#include "sls_txn.h"
#include "sls_ui.h"
#include "sls_uri.h"
#include "sls_userdb.h"

#endif /* SLS_H */
