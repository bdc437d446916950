package verify

import "errors"

// ErrStoreUnavailable is returned when the Store cannot be reached before a code is sent: the
// Verifier fails closed and sends nothing.
var ErrStoreUnavailable = errors.New("verify: store unavailable")
