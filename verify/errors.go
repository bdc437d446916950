package verify

import (
	"errors"
	"fmt"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// The outcomes of Start, Check and Cancel other than success. Match them with errors.Is. An
// outcome the service reported keeps the service's error inside, so errors.Is matches the
// wrapper's sentinel too (ErrExpired from a verify also matches wrapper.ErrCodeExpired); errors
// the service returns that are no outcome of a verification (wrapper.ErrInsufficientFunds,
// wrapper.ErrRateLimited, …) come back as the wrapper returned them.
var (
	// ErrInvalidPhone: the phone number is not a valid number. Nothing was sent or stored.
	ErrInvalidPhone = errors.New("verify: invalid phone number")
	// ErrNoVerification: no verification is pending for the phone (none was started, it was
	// canceled, or it is verified and the code given is not the one that verified it).
	ErrNoVerification = errors.New("verify: no verification pending")
	// ErrWrongCode: the code is not the one sent; Verification.AttemptsLeft says how many
	// more may be tried.
	ErrWrongCode = errors.New("verify: wrong code")
	// ErrExpired: the code's lifetime is over; Start sends a new one.
	ErrExpired = errors.New("verify: code expired")
	// ErrTooManyAttempts: the last attempt was wrong; the verification has failed and Start
	// sends a new code.
	ErrTooManyAttempts = errors.New("verify: too many attempts")
	// ErrTooManySends: the verification has sent Config.MaxSends codes; a new one can start at
	// the returned Verification's ExpiresAt.
	ErrTooManySends = errors.New("verify: too many codes sent")
	// ErrStoreUnavailable: the Store failed. Before a send this means nothing was sent.
	ErrStoreUnavailable = errors.New("verify: store unavailable")
)

// outcome returns sentinel with the service's error inside, so that errors.Is matches both.
func outcome(sentinel, cause error) error {
	if cause == nil {
		return sentinel
	}
	return fmt.Errorf("%w: %w", sentinel, cause)
}

// storeError reports a failure of the Store as ErrStoreUnavailable with the store's error inside.
func storeError(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrStoreUnavailable, op, err)
}

// finishedAtService reports whether err says the session has ended at the service, and how.
func finishedAtService(err error) (wrapper.Status, bool) {
	switch {
	case errors.Is(err, wrapper.ErrCodeExpired), errors.Is(err, wrapper.ErrAuthenticationExpired):
		return wrapper.StatusExpired, true
	case errors.Is(err, wrapper.ErrAttemptsExceeded), errors.Is(err, wrapper.ErrAuthenticationFailed):
		return wrapper.StatusFailed, true
	case errors.Is(err, wrapper.ErrAuthenticationCanceled), errors.Is(err, wrapper.ErrAuthenticationNotFound):
		return wrapper.StatusCanceled, true
	case errors.Is(err, wrapper.ErrAuthenticationInvalidStatus):
		// Verified already, by a call that did not go through this package.
		return wrapper.StatusVerified, true
	}
	return "", false
}

// finishedError is the outcome a Check reports for a verification that has ended as status.
func finishedError(status wrapper.Status, cause error) error {
	switch status {
	case wrapper.StatusExpired:
		return outcome(ErrExpired, cause)
	case wrapper.StatusFailed:
		return outcome(ErrTooManyAttempts, cause)
	}
	return outcome(ErrNoVerification, cause)
}
