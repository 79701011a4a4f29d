# SPDX-License-Identifier: MPL-2.0
# Shell side of the test harness (see t.h): source it, call t_case/t_ok/t_fail, end with t_done.
T_SUITE=${T_SUITE:-script}
T_PASSED=0 T_FAILED=0 T_CUR="" T_CUR_FAILED=0

t_close() {
	[ -n "$T_CUR" ] || return 0
	if [ "$T_CUR_FAILED" -ne 0 ]; then T_FAILED=$((T_FAILED + 1)); else T_PASSED=$((T_PASSED + 1)); fi
	T_CUR=""
}
t_case() { t_close; T_CUR=$1; T_CUR_FAILED=0; }
t_fail() { echo "FAIL $T_SUITE: $T_CUR: $*"; T_CUR_FAILED=1; }
# t_check DESCRIPTION COMMAND...: the command must succeed.
t_check() { local what=$1; shift; "$@" >/dev/null 2>&1 || t_fail "$what"; }
# t_check_not DESCRIPTION COMMAND...: the command must fail.
t_check_not() { local what=$1; shift; if "$@" >/dev/null 2>&1; then t_fail "$what"; fi; }
t_eq() { [ "$1" = "$2" ] || t_fail "$3: got '$1', expected '$2'"; }
t_done() { t_close; echo "T-RESULT $T_SUITE $T_PASSED $T_FAILED 0"; [ "$T_FAILED" -eq 0 ]; }
# t_skip_all WHY: the whole suite cannot run here (an optional tool is absent); it says so by
# name and counts every case it would have run as skipped, never as passed.
t_skip_all() { echo "NOT COVERED $T_SUITE: $1"; echo "T-RESULT $T_SUITE 0 0 ${2:-1}"; exit 0; }
