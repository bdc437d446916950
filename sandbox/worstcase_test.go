package sandbox

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
)

// worstCaseSessionBytes is the bound README "The sandbox" states: what one session costs at
// most, every string at the document's limit and 20 messages kept, indexes included.
const worstCaseSessionBytes = 2048

// TestWorstCaseBytesPerSession fills the sandbox with sessions as large as a client can make
// them (15-digit recipient and senders, 9-digit codes, a 70-character template, resent until
// 20 messages are kept) and measures the heap they hold.
func TestWorstCaseBytesPerSession(t *testing.T) {
	const sessions = 1000
	const resends = 21 // one more than the 20 messages kept
	text := "Code {code2fa} " + strings.Repeat("x", 70-len("Code {code2fa} "))
	require.Len(t, text, 70)
	clock := testkit.NewClock()
	s := New(WithClock(clock.Now), WithApprovedTemplate(7, "Long", text))
	bearer := loginTo(t, s)
	send := `{"recipient":"123456789012345","channel":"viber","sender":"123456789012345","sender_alt":"123456789012345","template_id":7,"code_lifetime":300,"code_max_tries":5,"code_digits":9}`

	before := heapAlloc()
	ids := make([]string, 0, sessions)
	for range sessions {
		status, body := call(t, s, bearer, http.MethodPost, hostileSendPath, send)
		require.Equal(t, http.StatusCreated, status, body)
		var out struct{ Data struct{ ID string } }
		require.NoError(t, json.Unmarshal([]byte(body), &out))
		ids = append(ids, out.Data.ID)
		clock.Advance(time.Millisecond)
	}
	for range resends {
		for _, id := range ids {
			status, body := call(t, s, bearer, http.MethodPost, "/api/2fa/authentications/otp/"+id+"/resend", "")
			require.Equal(t, http.StatusOK, status, body)
		}
	}
	after := heapAlloc()
	runtime.KeepAlive(ids)
	require.Equal(t, sessions, s.retained())
	perSession := float64(after-before) / sessions
	t.Logf("%d worst-case sessions hold %.0f bytes of heap each (bound %d)", sessions, perSession, worstCaseSessionBytes)
	assert.LessOrEqual(t, perSession, float64(worstCaseSessionBytes))
}
