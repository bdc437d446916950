package wrapper_test

// End-to-end tests of logging in and of the bearer's lifetime (harness: e2e_harness_test.go).

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

func TestE2EAuth(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		opts []sandbox.Option
		run  func(t *testing.T, e *e2eEnv)
	}{
		{"the first call logs in once and the bearer is reused", nil, func(t *testing.T, e *e2eEnv) {
			for range 3 {
				_, err := e.c.GetTemplate(ctx, 1)
				require.NoError(t, err)
			}
			assert.Equal(t, 1, e.hitsOf(e2eLogin))
		}},
		{"concurrent first calls log in once", nil, func(t *testing.T, e *e2eEnv) {
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Go(func() {
					_, err := e.c.GetTemplate(ctx, 1)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, 1, e.hitsOf(e2eLogin))
		}},
		{"a wrong key is unauthorized and tried once", []sandbox.Option{sandbox.WithAPIKey("the-right-key")}, func(t *testing.T, e *e2eEnv) {
			_, err := e.c.SendOTP(ctx, e2eSMS(e2eUA))
			e2eRequireErr(t, err, wrapper.ErrUnauthorized, http.StatusUnauthorized)
			assert.Equal(t, 1, e.hitsOf(e2eLogin))
			assert.Zero(t, e.hitsOf("POST "+e2eAuthsPath+"/otp"), "nothing is sent without a bearer")

			right := e.client("the-right-key")
			_, err = right.SendOTP(ctx, e2eSMS(e2eUA))
			require.NoError(t, err)
		}},
		{"a bearer expired by the sandbox clock is replaced after the 401", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			a := e.send(e2eSMS(e2eUA))
			e.clock.Advance(2 * time.Minute) // the client's own clock has not moved
			got, err := e.c.GetAuthentication(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, wrapper.StatusPending, got.Status)
			assert.Equal(t, 2, e.hitsOf(e2eLogin))
			assert.Equal(t, 1, e.statusCount(http.StatusUnauthorized))
			e.verify(a.ID)
			assert.Equal(t, 2, e.hitsOf(e2eLogin), "the new bearer is kept")
		}},
		{"concurrent calls refused with one expired bearer log in once more", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			a := e.send(e2eSMS(e2eUA))
			e.clock.Advance(2 * time.Minute)
			var wg sync.WaitGroup
			errs := make(chan error, 8)
			for range 8 {
				wg.Go(func() {
					_, err := e.c.GetAuthentication(ctx, a.ID)
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			assert.Equal(t, 2, e.hitsOf(e2eLogin))
		}},
		{"a bearer due by the client clock is refreshed before it expires", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			wrapper.SetClockForTest(e.c, e.clock.Now)
			a := e.send(e2eSMS(e2eUA))
			for range 3 {
				e.clock.Advance(50 * time.Second)
				_, err := e.c.GetAuthentication(ctx, a.ID)
				require.NoError(t, err)
			}
			assert.Equal(t, 1, e.hitsOf(e2eLogin))
			assert.Equal(t, 3, e.hitsOf(e2eRefresh))
			assert.Zero(t, e.statusCount(http.StatusUnauthorized))
		}},
		{"a bearer expired by both clocks is replaced by a login without a 401", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			wrapper.SetClockForTest(e.c, e.clock.Now)
			a := e.send(e2eSMS(e2eUA))
			e.clock.Advance(2 * time.Minute)
			_, err := e.c.GetAuthentication(ctx, a.ID)
			require.NoError(t, err)
			assert.Equal(t, 2, e.hitsOf(e2eLogin))
			assert.Zero(t, e.hitsOf(e2eRefresh))
			assert.Zero(t, e.statusCount(http.StatusUnauthorized))
		}},
		{"a bearer from elsewhere is used without a login until it expires", []sandbox.Option{sandbox.WithTokenTTL(time.Minute)}, func(t *testing.T, e *e2eEnv) {
			_, body := e.raw(http.MethodPost, "/api/auth/login", `{"api_key":"elsewhere"}`, false)
			var login struct{ Bearer string }
			require.NoError(t, json.Unmarshal([]byte(body), &login))
			before := e.hitsOf(e2eLogin)

			tokenOnly := e.client("", wrapper.WithToken(login.Bearer))
			a, err := tokenOnly.SendOTP(ctx, e2eSMS(e2eUA))
			require.NoError(t, err)
			assert.Equal(t, before, e.hitsOf(e2eLogin))

			withKey := e.client(e2eKey, wrapper.WithToken(login.Bearer))
			e.clock.Advance(2 * time.Minute)
			_, err = tokenOnly.GetAuthentication(ctx, a.ID)
			e2eRequireErr(t, err, wrapper.ErrUnauthorized, http.StatusUnauthorized)
			_, err = withKey.GetAuthentication(ctx, a.ID)
			require.NoError(t, err, "with a key as well, an expired bearer is replaced by a login")
			assert.Equal(t, before+1, e.hitsOf(e2eLogin))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newE2E(t, tt.opts...))
		})
	}
}
