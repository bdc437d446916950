package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
	"github.com/go-bsg/bsg2fa/wrapper"
)

// reportSandbox serves a sandbox with sessions on two days of November 2026: on the 2nd two
// verified to Ukraine and one canceled to Germany, on the 3rd one verified to Germany by
// Viber. Spend: 3 × 0.02 for the sessions, 4 × 0.0642918 for the messages (one resend).
func reportSandbox(t *testing.T) map[string]string {
	t.Helper()
	clock := testkit.NewClock()
	sb, env := newSandbox(t, sandbox.WithClock(clock.Now), sandbox.WithRetention(30*24*time.Hour))
	client, err := wrapper.New(testKey, wrapper.WithBaseURL(env["BSG_BASE_URL"]))
	require.NoError(t, err)
	ctx := t.Context()
	for _, s := range []struct {
		day       int
		to        string
		channel   wrapper.Channel
		resend    bool
		verifyIn  time.Duration
		canceling bool
	}{
		{day: 0, to: "380501110001", channel: wrapper.ChannelSMS, verifyIn: 4 * time.Second},
		{day: 0, to: "380501110002", channel: wrapper.ChannelSMS, verifyIn: 10 * time.Second, resend: true},
		{day: 0, to: "4915100000001", channel: wrapper.ChannelSMS, canceling: true},
		{day: 1, to: "4915100000002", channel: wrapper.ChannelViber, verifyIn: 6 * time.Second},
	} {
		clock.Set(testkit.Epoch.AddDate(0, 0, s.day))
		a, err := client.SendOTP(ctx, wrapper.SendOTPRequest{Recipient: s.to, Channel: s.channel, Sender: "Shop", TemplateID: 1})
		require.NoError(t, err)
		if s.resend {
			_, err = client.ResendOTP(ctx, a.ID)
			require.NoError(t, err)
		}
		if s.canceling {
			_, err = client.CancelOTP(ctx, a.ID)
			require.NoError(t, err)
			continue
		}
		clock.Advance(s.verifyIn)
		code, _ := sb.LastCode(a.ID)
		_, err = client.VerifyOTP(ctx, a.ID, code)
		require.NoError(t, err)
	}
	return env
}

var period = []string{"-from", "2026-11-02", "-to", "2026-11-03"}

func reportArgs(extra ...string) []string {
	return append(append([]string{"report"}, period...), extra...)
}

func TestReportTable(t *testing.T) {
	env := reportSandbox(t)
	r := runCLI(t, t.Context(), env, "", reportArgs("-by", "day,country")...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stderr, "no progress line when stderr is not a terminal")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	assert.Equal(t, "One-time passwords 2026-11-02 to 2026-11-03, by day, country: 4 sessions", lines[0])
	fields := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	assert.Equal(t, "DAY COUNTRY SESSIONS VERIFIED PENDING EXPIRED FAILED CANCELED CONV CONV ALL MESSAGES VERIFY P50 VERIFY P90 SPEND USD", fields(lines[2]))
	assert.Equal(t, "2026-11-02 DE 1 0 0 0 0 1 0.0% 0.0% 1 - - 0.0642918", fields(lines[3]))
	assert.Equal(t, "2026-11-02 UA 2 2 0 0 0 0 100.0% 100.0% 3 4s 10s 0.2328754", fields(lines[4]))
	assert.Equal(t, "2026-11-03 DE 1 1 0 0 0 0 100.0% 100.0% 1 6s 6s 0.0842918", fields(lines[5]))
	assert.Equal(t, "TOTAL 4 3 0 0 0 1 75.0% 75.0% 5 6s 10s 0.381459", fields(lines[6]))
	assert.Equal(t, "No suspects (at least 20 sessions and less than 20.0% verified).", lines[8])
}

func TestReportCSVAndJSON(t *testing.T) {
	env := reportSandbox(t)
	r := runCLI(t, t.Context(), env, "", reportArgs("-by", "channel", "-format", "csv")...)
	require.Equal(t, 0, r.code, r.stderr)
	records, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 3)
	assert.Equal(t, "channel", records[0][0])
	assert.Equal(t, []string{"sms", "3", "2"}, records[1][:3])
	assert.Equal(t, []string{"viber", "1", "1"}, records[2][:3])
	assert.Equal(t, "0.2971672", records[1][len(records[1])-1])

	// -json, the flag every command has, picks the JSON form too.
	r = runCLI(t, t.Context(), env, "", reportArgs("-json")...)
	require.Equal(t, 0, r.code, r.stderr)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	bad, err := testkit.NotSnakeCase([]byte(r.stdout))
	require.NoError(t, err)
	assert.Empty(t, bad, "keys that are not snake_case")
	total := doc["total"].(map[string]any)
	assert.Equal(t, float64(4), total["sessions"])
	assert.Equal(t, []any{map[string]any{"currency": "USD", "amount": "0.381459"}}, total["spend"])
	assert.Len(t, doc["rows"], 2, "by day, the default")
}

func TestReportHTMLFile(t *testing.T) {
	env := reportSandbox(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "november.html")
	r := runCLI(t, t.Context(), env, "", reportArgs("-o", path)...)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Empty(t, r.stdout)
	body, err := os.ReadFile(path)
	require.NoError(t, err)
	doc, err := html.Parse(bytes.NewReader(body))
	require.NoError(t, err)
	var svgs int
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "svg" {
			svgs++
		}
	}
	assert.Equal(t, 2, svgs, "the form comes from the file name")
	assert.Contains(t, string(body), "0.381459")
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	assertOnly(t, dir, "november.html")
}

// assertOnly fails unless dir holds exactly the named files: no temporary file left behind.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	got := []string{}
	for _, e := range entries {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, names, got)
}

// TestReportStops: a failing service and an interruption leave no file, and say how far the
// walk got.
func TestReportStops(t *testing.T) {
	env := reportSandbox(t)
	t.Run("service fails", func(t *testing.T) {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			if r.URL.Path == "/api/auth/login" {
				_, _ = w.Write([]byte(`{"bearer":"e30.e30.x"}`))
				return
			}
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`{"message":"Forbidden"}`))
		}))
		t.Cleanup(ts.Close)
		dir := t.TempDir()
		r := runCLI(t, t.Context(), map[string]string{"BSG_BASE_URL": ts.URL, "BSG_API_KEY": testKey}, "",
			reportArgs("-o", filepath.Join(dir, "out.csv"))...)
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, "bsg2fa report: stopped after 0 pages (0 sessions); no file written: ")
		assert.Contains(t, r.stderr, "403")
		assertOnly(t, dir)
	})
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		dir := t.TempDir()
		r := runCLI(t, ctx, env, "", reportArgs("-o", filepath.Join(dir, "out.json"))...)
		assert.Equal(t, 1, r.code)
		assert.Equal(t, "bsg2fa report: interrupted after 0 pages (0 sessions); no file written\n", r.stderr)
		assertOnly(t, dir)
	})
	t.Run("directory missing", func(t *testing.T) {
		r := runCLI(t, t.Context(), env, "", reportArgs("-o", filepath.Join(t.TempDir(), "no", "such", "r.html"))...)
		assert.Equal(t, 1, r.code)
		assert.Contains(t, r.stderr, "no such file or directory")
	})
}

// TestReportProgress: a progress line on a terminal's stderr, cleared at the end; none with -q.
func TestReportProgress(t *testing.T) {
	env := reportSandbox(t)
	was := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminal = was })

	r := runCLI(t, t.Context(), env, "", reportArgs("-format", "csv")...)
	require.Equal(t, 0, r.code)
	assert.Regexp(t, `^\r1 page, 4 of 4 sessions, \d+/s, 0s left\x1b\[K\r\x1b\[K$`, r.stderr)
	assert.NotContains(t, r.stdout, "\x1b", "the progress line stays on stderr")

	r = runCLI(t, t.Context(), env, "", reportArgs("-q")...)
	require.Equal(t, 0, r.code)
	assert.Empty(t, r.stderr)
}

func TestReportUsage(t *testing.T) {
	env := reportSandbox(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "-by", "week"}, `-by: unknown dimension "week"`},
		{[]string{"report", "-by", "day,day"}, `-by: dimension "day" given twice`},
		{[]string{"report", "-format", "xml"}, "-format must be table, csv, json or html"},
		{[]string{"report", "-from", "2026-11-05", "-to", "2026-11-01"}, "-from 2026-11-05 is after -to 2026-11-01"},
		{[]string{"report", "-from", "yesterday"}, "want a date as YYYY-MM-DD"},
		{[]string{"report", "-suspect-rate", "1.5"}, "-suspect-rate must be above 0 and at most 1"},
		{[]string{"report", "-suspect-sessions", "0"}, "-suspect-sessions must be at least 1"},
	} {
		r := runCLI(t, t.Context(), env, "", tc.args...)
		assert.Equal(t, 2, r.code, tc.args)
		assert.Contains(t, r.stderr, tc.want, tc.args)
	}
	r := runCLI(t, t.Context(), env, "", "report", "-h")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "Usage: bsg2fa report")
	r = runCLI(t, t.Context(), env, "", "-h")
	assert.Contains(t, r.stdout, "report")
}
