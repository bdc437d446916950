package verify

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/go-bsg/bsg2fa/wrapper"
)

// Service errors that mean the same outcome map to one sentinel, and the wrapper's sentinel
// still matches.
func TestServiceOutcomesMapToOneSentinel(t *testing.T) {
	for _, tc := range []struct {
		service error
		status  wrapper.Status
		want    error
	}{
		{service: wrapper.ErrCodeExpired, status: wrapper.StatusExpired, want: ErrExpired},
		{service: wrapper.ErrAuthenticationExpired, status: wrapper.StatusExpired, want: ErrExpired},
		{service: wrapper.ErrAttemptsExceeded, status: wrapper.StatusFailed, want: ErrTooManyAttempts},
		{service: wrapper.ErrAuthenticationFailed, status: wrapper.StatusFailed, want: ErrTooManyAttempts},
		{service: wrapper.ErrAuthenticationCanceled, status: wrapper.StatusCanceled, want: ErrNoVerification},
		{service: wrapper.ErrAuthenticationNotFound, status: wrapper.StatusCanceled, want: ErrNoVerification},
		{service: wrapper.ErrAuthenticationInvalidStatus, status: wrapper.StatusVerified, want: ErrNoVerification},
	} {
		t.Run(tc.service.Error(), func(t *testing.T) {
			cause := fmt.Errorf("bsg2fa: 422: %w", tc.service)
			status, ended := finishedAtService(cause)
			assert.True(t, ended)
			assert.Equal(t, tc.status, status)
			err := finishedError(status, cause)
			assert.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, tc.service)
		})
	}
	for _, other := range []error{wrapper.ErrRateLimited, wrapper.ErrServiceUnavailable, wrapper.ErrWrongCode, errors.New("network")} {
		_, ended := finishedAtService(other)
		assert.False(t, ended, "%v ends no session", other)
	}
}
