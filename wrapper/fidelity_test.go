package wrapper

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// The ids of the shared documented bodies: a single-session call must ask for the session
// its answer describes.
const (
	sendID   = "bf4381c8-9d4a-4705-bd28-f89a830b7f96" // sendBody and canceledBody
	statusID = "ea5db413-e368-4952-b745-cc2030210c49" // statusBody
)

// TestJSONAnswerWhateverContentType: the service runs on PHP, whose default header is
// text/html, and proxies rewrite headers; a body that is JSON is read as JSON.
func TestJSONAnswerWhateverContentType(t *testing.T) {
	for _, ct := range []string{"text/html; charset=UTF-8", "text/plain", "", "application/octet-stream"} {
		t.Run(ct, func(t *testing.T) {
			c, mux, _ := setup(t)
			write := func(w http.ResponseWriter, status int, body string) {
				w.Header()["Content-Type"] = nil
				if ct != "" {
					w.Header().Set("Content-Type", ct)
				}
				w.WriteHeader(status)
				_, _ = w.Write([]byte(" \r\n\t" + body))
			}
			mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
				write(w, http.StatusOK, statusBody)
			})
			mux.HandleFunc("GET /api/2fa/authentications/templates", func(w http.ResponseWriter, r *http.Request) {
				write(w, http.StatusOK, templateListBody)
			})
			mux.HandleFunc("POST /api/2fa/authentications/otp", func(w http.ResponseWriter, r *http.Request) {
				write(w, http.StatusCreated, sendBody)
			})
			mux.HandleFunc("POST /api/2fa/authentications/otp/{id}/verify", func(w http.ResponseWriter, r *http.Request) {
				write(w, http.StatusNotFound, `{"errors":[{"message":"The code does not match the expected value"}]}`)
			})
			a, err := c.GetAuthentication(context.Background(), statusID)
			require.NoError(t, err)
			assert.Equal(t, StatusVerified, a.Status)
			sent, err := c.SendOTP(context.Background(), sendReq)
			require.NoError(t, err)
			assert.Equal(t, sendID, sent.ID)
			page, err := c.ListTemplatesPage(context.Background(), ListTemplatesRequest{})
			require.NoError(t, err)
			assert.Len(t, page.Items, 2)
			_, err = c.VerifyOTP(context.Background(), sendID, "12345")
			assert.ErrorIs(t, err, ErrWrongCode, "an error body is read whatever its content type")
		})
	}

	t.Run("token answer as text/html", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.HandleFunc("POST /api/auth/login", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			now := time.Now()
			_, _ = w.Write([]byte(`{"bearer":"` + testkit.JWTAt(now, now.Add(time.Hour)) + `"}`))
		})
		mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, statusBody)
		})
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		c, err := New(testAPIKey, WithBaseURL(srv.URL))
		require.NoError(t, err)
		_, err = c.GetAuthentication(context.Background(), statusID)
		require.NoError(t, err)
	})

	t.Run("what is not JSON stays malformed", func(t *testing.T) {
		for _, body := range []string{"", "   ", "<html><body>{\"data\":1}</body></html>", "Service Unavailable", `{"data":`} {
			c, mux, _ := setup(t)
			mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=UTF-8")
				_, _ = w.Write([]byte(body))
			})
			_, err := c.GetAuthentication(context.Background(), statusID)
			assert.ErrorIs(t, err, ErrMalformedResponse, "%q", body)
		}
	})
}

// TestDuplicateSendsMakeOneSession reproduces the service's duplicate detection: a send that
// arrives while an identical one is being handled is refused with 429. Repeating the refused
// send once the first is done would deliver a second code.
func TestDuplicateSendsMakeOneSession(t *testing.T) {
	c, mux, _ := setup(t)
	var mu sync.Mutex
	inFlight := map[string]bool{}
	refused := make(chan struct{})
	var refuseOnce sync.Once
	var sessions, requests atomic.Int32
	mux.HandleFunc("POST /api/2fa/authentications/otp", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		key := string(body) // the service compares what it was sent
		mu.Lock()
		if inFlight[key] {
			mu.Unlock()
			writeJSON(w, http.StatusTooManyRequests, `{"message":"Too many duplicate request detected"}`)
			refuseOnce.Do(func() { close(refused) })
			return
		}
		inFlight[key] = true
		mu.Unlock()
		select { // hold the first send until the duplicate has been refused
		case <-refused:
		case <-time.After(5 * time.Second):
		}
		mu.Lock()
		delete(inFlight, key)
		mu.Unlock()
		sessions.Add(1)
		writeJSON(w, http.StatusCreated, sendBody)
	})
	// Log in first, so both sends carry the same bearer.
	mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, statusBody)
	})
	_, err := c.GetAuthentication(context.Background(), statusID)
	require.NoError(t, err)

	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.SendOTP(context.Background(), sendReq)
		}()
	}
	wg.Wait()
	assert.Equal(t, int32(1), sessions.Load(), "one session, one code")
	assert.Equal(t, int32(2), requests.Load(), "the refused send is not repeated")
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			assert.ErrorIs(t, err, ErrRateLimited)
		}
	}
	assert.Equal(t, 1, failed)
}

// TestRetryAfterZeroWaitsTheBackoff: a Retry-After of 0 or a date in the past never makes
// the retries back-to-back.
func TestRetryAfterZeroWaitsTheBackoff(t *testing.T) {
	for _, ra := range []string{"0", "Mon, 02 Jan 2006 15:04:05 GMT"} {
		t.Run(ra, func(t *testing.T) {
			c, mux, _ := setup(t, WithMaxRetries(10))
			c.retry.base, c.retry.max = 200*time.Millisecond, 5*time.Second
			var mu sync.Mutex
			var waits []time.Duration
			c.sleep = func(ctx context.Context, d time.Duration) error {
				mu.Lock()
				waits = append(waits, d)
				mu.Unlock()
				return nil
			}
			var n atomic.Int32
			mux.HandleFunc("GET /api/2fa/authentications/{id}", counter(&n, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", ra)
				writeJSON(w, http.StatusTooManyRequests, `{"message":"Too many duplicate request detected"}`)
			}))
			_, err := c.GetAuthentication(context.Background(), statusID)
			require.ErrorIs(t, err, ErrRateLimited)
			assert.Equal(t, int32(11), n.Load())
			require.Len(t, waits, 10)
			for i, d := range waits {
				assert.GreaterOrEqual(t, d, c.retry.backoff(i, 0.5), "wait %d", i+1)
				assert.Greater(t, d, time.Duration(0))
			}
		})
	}
}

// TestSingleSessionAnswerIsTheSessionAskedAbout: a nil error from VerifyOTP means the
// session asked about is verified; the other single-session calls check the id too.
func TestSingleSessionAnswerIsTheSessionAskedAbout(t *testing.T) {
	pendingStatus := strings.Replace(statusBody, `"status":"verified"`, `"status":"pending"`, 1)
	tests := []struct {
		name    string
		pattern string
		body    string
		call    func(c *Client, id string) (*Authentication, error)
		id      string
		wantErr bool
	}{
		{"verify: verified, same id", "POST /api/2fa/authentications/otp/{id}/verify", statusBody, verifyCall, statusID, false},
		{"verify: verified, other id", "POST /api/2fa/authentications/otp/{id}/verify", statusBody, verifyCall, sendID, true},
		{"verify: pending, same id", "POST /api/2fa/authentications/otp/{id}/verify", pendingStatus, verifyCall, statusID, true},
		{"verify: pending, other id", "POST /api/2fa/authentications/otp/{id}/verify", sendBody, verifyCall, statusID, true},
		{"verify: canceled, same id", "POST /api/2fa/authentications/otp/{id}/verify", canceledBody, verifyCall, sendID, true},
		{"resend: same id", "POST /api/2fa/authentications/otp/{id}/resend", sendBody, resendCall, sendID, false},
		{"resend: other id", "POST /api/2fa/authentications/otp/{id}/resend", sendBody, resendCall, statusID, true},
		{"cancel: same id", "POST /api/2fa/authentications/{id}/cancel", canceledBody, cancelCall, sendID, false},
		{"cancel: other id", "POST /api/2fa/authentications/{id}/cancel", canceledBody, cancelCall, statusID, true},
		{"get: same id", "GET /api/2fa/authentications/{id}", statusBody, getCall, statusID, false},
		{"get: other id", "GET /api/2fa/authentications/{id}", statusBody, getCall, sendID, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux, _ := setup(t)
			mux.HandleFunc(tt.pattern, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, tt.body)
			})
			a, err := tt.call(c, tt.id)
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Equal(t, tt.id, a.ID)
				return
			}
			assert.Nil(t, a)
			require.ErrorIs(t, err, ErrMalformedResponse)
			var re *ResponseError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, http.StatusOK, re.StatusCode)
		})
	}
}

func verifyCall(c *Client, id string) (*Authentication, error) {
	return c.VerifyOTP(context.Background(), id, "734029")
}
func resendCall(c *Client, id string) (*Authentication, error) {
	return c.ResendOTP(context.Background(), id)
}
func cancelCall(c *Client, id string) (*Authentication, error) {
	return c.CancelOTP(context.Background(), id)
}
func getCall(c *Client, id string) (*Authentication, error) {
	return c.GetAuthentication(context.Background(), id)
}

// TestVerifyOTPTrimsTheCode: a code pasted with surrounding spaces is sent without them;
// spaces inside a code are refused before sending.
func TestVerifyOTPTrimsTheCode(t *testing.T) {
	c, mux, _ := setup(t)
	var bodies []string
	mux.HandleFunc("POST /api/2fa/authentications/otp/{id}/verify", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		writeJSON(w, http.StatusOK, statusBody)
	})
	_, err := c.VerifyOTP(context.Background(), statusID, " \t734029\r\n ")
	require.NoError(t, err)
	require.Len(t, bodies, 1)
	assert.JSONEq(t, `{"access_code":"734029"}`, bodies[0])

	for _, code := range []string{"734 029", " ", "73\u00a04029"} {
		_, err := c.VerifyOTP(context.Background(), statusID, code)
		requireInvalid(t, err, "Code")
	}
	assert.Len(t, bodies, 1, "a refused code is not sent")
}

// TestCodeLifetimeOverflow: a lifetime no Duration can hold is a malformed answer, never a
// negative lifetime.
func TestCodeLifetimeOverflow(t *testing.T) {
	for _, lt := range []string{"9223372037", "9223372036854775807", "-1", "-300"} {
		t.Run(lt, func(t *testing.T) {
			c, mux, _ := setup(t)
			body := strings.Replace(statusBody, `"code_lifetime":30`, `"code_lifetime":`+lt, 1)
			mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusOK, body)
			})
			a, err := c.GetAuthentication(context.Background(), statusID)
			assert.Nil(t, a)
			require.ErrorIs(t, err, ErrMalformedResponse)
		})
	}
	t.Run("the largest that fits", func(t *testing.T) {
		c, mux, _ := setup(t)
		body := strings.Replace(statusBody, `"code_lifetime":30`, `"code_lifetime":9223372036`, 1)
		mux.HandleFunc("GET /api/2fa/authentications/{id}", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusOK, body)
		})
		a, err := c.GetAuthentication(context.Background(), statusID)
		require.NoError(t, err)
		assert.Positive(t, a.CodeLifetime)
	})
}

// TestErrorBodyOverTheLimit: a non-2xx body over the size limit is the *APIError of its
// status and matches ErrResponseTooLarge; nothing of it is parsed.
func TestErrorBodyOverTheLimit(t *testing.T) {
	const limit = 1 << 10
	big := `{"errors":[{"message":"The code does not match the expected value"}],"pad":"` + strings.Repeat("a", 4*limit) + `"}`
	for _, chunked := range []bool{false, true} {
		t.Run("chunked="+strconv.FormatBool(chunked), func(t *testing.T) {
			c, mux, _ := setup(t, WithMaxResponseBytes(limit))
			mux.HandleFunc("POST /api/2fa/authentications/otp/{id}/verify", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				}
				w.WriteHeader(http.StatusUnprocessableEntity)
				writeChunks(w, big)
			})
			_, err := c.VerifyOTP(context.Background(), statusID, "734029")
			require.ErrorIs(t, err, ErrResponseTooLarge)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusUnprocessableEntity, apiErr.StatusCode)
			assert.ErrorIs(t, err, ErrInvalidParams, "the status still speaks")
			assert.NotErrorIs(t, err, ErrWrongCode, "a body not read whole is not trusted")
			assert.Empty(t, apiErr.Errors)
			assert.Contains(t, err.Error(), "too large")
		})
	}
	t.Run("at the limit is read", func(t *testing.T) {
		body := `{"errors":[{"message":"The code does not match the expected value"}]}`
		body += strings.Repeat(" ", limit-len(body)) // exactly the limit, larger than a token answer
		c, mux, _ := setup(t, WithMaxResponseBytes(limit))
		mux.HandleFunc("POST /api/2fa/authentications/otp/{id}/verify", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, http.StatusNotFound, body)
		})
		_, err := c.VerifyOTP(context.Background(), statusID, "734029")
		require.ErrorIs(t, err, ErrWrongCode)
		assert.NotErrorIs(t, err, ErrResponseTooLarge)
	})
}
