//! HAProxy's built-in error responses, errorfile/errorloc/http-errors.
