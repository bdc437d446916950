package wrapper_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loadFlows is how many send+verify flows run at once in TestConcurrentFlowsAgainstSandbox.
const loadFlows = 1000

// TestConcurrentFlowsAgainstSandbox runs a thousand send → verify flows at once through one
// client against the sandbox: one login for all of them, no error, and every session verified
// by the sandbox's own count. The client's default transport bounds the connections.
func TestConcurrentFlowsAgainstSandbox(t *testing.T) {
	sb := sandbox.New()
	var logins, requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path == "/api/auth/login" {
			logins.Add(1)
		}
		sb.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c, err := wrapper.New("load-test-key", wrapper.WithBaseURL(srv.URL))
	require.NoError(t, err)

	ctx := context.Background()
	start := make(chan struct{})
	var wg sync.WaitGroup
	ids := make([]string, loadFlows)
	errs := make([]error, loadFlows)
	for i := range loadFlows {
		wg.Go(func() {
			<-start
			ids[i], errs[i] = loadFlow(ctx, c, sb, i)
		})
	}
	close(start)
	wg.Wait()

	seen := make(map[string]bool, loadFlows)
	for i, err := range errs {
		require.NoError(t, err, "flow %d", i)
		require.False(t, seen[ids[i]], "session id %s twice", ids[i])
		seen[ids[i]] = true
	}
	assert.Equal(t, int32(1), logins.Load(), "one login for every flow")
	assert.Equal(t, int32(1+2*loadFlows), requests.Load(), "a send and a verify per flow, nothing repeated")

	// The sandbox agrees: every session it holds is verified.
	today := time.Now().UTC()
	page, err := c.ListAuthenticationsPage(ctx, wrapper.ListAuthenticationsRequest{
		From: today.Add(-24 * time.Hour), To: today.Add(24 * time.Hour), Status: wrapper.StatusVerified, Limit: 10,
	})
	require.NoError(t, err)
	assert.Equal(t, loadFlows, page.Total)
	page, err = c.ListAuthenticationsPage(ctx, wrapper.ListAuthenticationsRequest{
		From: today.Add(-24 * time.Hour), To: today.Add(24 * time.Hour), Status: wrapper.StatusPending, Limit: 10,
	})
	require.NoError(t, err)
	assert.Zero(t, page.Total, "no session left pending")
}

// loadFlow sends a code to a number of its own, reads the code from the sandbox and verifies
// it; it returns the session's id.
func loadFlow(ctx context.Context, c *wrapper.Client, sb *sandbox.Server, i int) (string, error) {
	recipient := "38050" + strconv.Itoa(1000000+i) // 12 digits, one number per flow
	a, err := c.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: recipient, Channel: wrapper.ChannelSMS, Sender: "SENDER", TemplateID: 1})
	if err != nil {
		return "", err
	}
	code, ok := sb.LastCode(a.ID)
	if !ok {
		return a.ID, errNoCode
	}
	v, err := c.VerifyOTP(ctx, a.ID, code)
	if err != nil {
		return a.ID, err
	}
	if v.Status != wrapper.StatusVerified {
		return a.ID, errNotVerified
	}
	return a.ID, nil
}

type loadError string

func (e loadError) Error() string { return string(e) }

const (
	errNoCode      loadError = "the sandbox holds no code for the session"
	errNotVerified loadError = "verify answered a session that is not verified"
)
