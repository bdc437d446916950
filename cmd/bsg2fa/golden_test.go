package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-bsg/bsg2fa/internal/testkit"
	"github.com/go-bsg/bsg2fa/sandbox"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the output of this run")

// transcript runs command lines against a sandbox whose clock and randomness are fixed, so
// that every id, code and time in the output is the same on every run, and writes each run
// as the README shows it.
type transcript struct {
	t       *testing.T
	clock   *testkit.Clock
	sb      *sandbox.Server
	env     map[string]string
	text    strings.Builder
	results []result
	names   map[string]string // values shown in the command lines by a placeholder, e.g. an id as {id}
}

// newTranscript starts a sandbox at testkit.Epoch; seed makes its ids and codes.
func newTranscript(t *testing.T, seed string, opts ...sandbox.Option) *transcript {
	tr := &transcript{t: t, clock: testkit.NewClock(), names: map[string]string{}}
	var key [32]byte
	copy(key[:], seed)
	tr.sb = sandbox.New(append([]sandbox.Option{
		sandbox.WithAPIKey(testKey),
		sandbox.WithClock(tr.clock.Now),
		sandbox.WithRand(rand.NewChaCha8(key)),
		sandbox.WithDeliveryDelay(0),
	}, opts...)...)
	srv := httptest.NewServer(tr.sb)
	t.Cleanup(srv.Close)
	tr.env = map[string]string{"BSG_BASE_URL": srv.URL, "BSG_API_KEY": testKey}
	return tr
}

// name shows value as {placeholder} in the command lines of the transcript.
func (tr *transcript) name(placeholder, value string) { tr.names[value] = "{" + placeholder + "}" }

// run runs one command line and records it.
func (tr *transcript) run(args ...string) result { return tr.runEnv(nil, args...) }

// runEnv runs one command line with env on top of the sandbox's environment.
func (tr *transcript) runEnv(env map[string]string, args ...string) result {
	tr.t.Helper()
	merged := map[string]string{}
	for k, v := range tr.env {
		merged[k] = v
	}
	var envText []string
	for k, v := range env {
		merged[k] = v
		envText = append(envText, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	c := &cli{ctx: tr.t.Context(), stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		getenv: func(k string) string { return merged[k] }, now: tr.clock.Now}
	r := result{code: c.run(args), stdout: stdout.String(), stderr: stderr.String()}
	assertNoKey(tr.t, r.stdout, r.stderr)
	tr.results = append(tr.results, r)

	shown := make([]string, len(args))
	for i, a := range args {
		shown[i] = a
		if p, ok := tr.names[a]; ok {
			shown[i] = p
		} else if strings.ContainsAny(a, " {}") {
			shown[i] = "'" + a + "'"
		}
	}
	fmt.Fprintf(&tr.text, "$ %sbsg2fa %s\n", strings.Join(append(envText, ""), " "), strings.Join(shown, " "))
	tr.text.WriteString(r.stdout)
	if r.stderr != "" {
		fmt.Fprintf(&tr.text, "(stderr) %s", r.stderr)
	}
	fmt.Fprintf(&tr.text, "(exit %d)\n\n", r.code)
	return r
}

// id runs a command line that must print a session or a template, and returns its id.
func (tr *transcript) id(args ...string) string {
	tr.t.Helper()
	r := tr.run(args...)
	require.Equal(tr.t, exitOK, r.code, r.stderr)
	var v struct {
		ID         string `json:"id"`
		TemplateID int    `json:"template_id"`
	}
	require.NoError(tr.t, json.Unmarshal([]byte(r.stdout), &v))
	if v.ID == "" {
		return fmt.Sprint(v.TemplateID)
	}
	return v.ID
}

// code is the code the sandbox sent last for a session.
func (tr *transcript) code(id string) string {
	tr.t.Helper()
	code, ok := tr.sb.LastCode(id)
	require.True(tr.t, ok)
	tr.name("code", code)
	return code
}

// goldenScenarios are the runs each golden file pins, one file per subcommand. Every run
// prints JSON: the outputs on success and the error objects on failure.
var goldenScenarios = []struct {
	name string
	play func(tr *transcript)
}{
	{"send", func(tr *transcript) {
		tr.run("send", "-to", "+380 50 123 4567", "-sender", "Shop", "-template", "1", "-json")
		tr.run("send", "-to", "351912345678", "-channel", "viber", "-sender", "Shop", "-sender-alt", "ShopSMS",
			"-lifetime", "90s", "-tries", "2", "-digits", "4", "-json")
		tr.run("send", "-to", "380501234567", "-lifetime", "10s", "-json")
		tr.run("send", "-to", "380509999999", "-json")
		tr.run("send", "-sender", "Shop", "-json")
		tr.runEnv(map[string]string{"BSG_BASE_URL": "https://api.example.com"}, "send", "-to", "380501234567", "-sender", "Shop", "-json")
		tr.run("send", "-to", "380501234567", "-template", "7", "-json")
	}},
	{"resend", func(tr *transcript) {
		id := tr.id("send", "-to", "380501234567", "-json")
		tr.name("id", id)
		tr.clock.Advance(40 * time.Second)
		tr.run("resend", id, "-json")
		tr.run("cancel", id, "-json")
		tr.run("resend", id, "-json")
	}},
	{"verify", func(tr *transcript) {
		id := tr.id("send", "-to", "380501234567", "-json")
		tr.name("id", id)
		code := tr.code(id)
		tr.clock.Advance(20 * time.Second)
		tr.run("verify", id, wrongCode(code), "-json")
		tr.run("verify", id, "12", "-json")
		tr.run("verify", id, code, "-json")
		tr.run("verify", id, code, "-json")
	}},
	{"cancel", func(tr *transcript) {
		id := tr.id("send", "-to", "380501234567", "-json")
		tr.name("id", id)
		tr.clock.Advance(5 * time.Second)
		tr.run("cancel", id, "-json")
		tr.run("cancel", id, "-json")
	}},
	{"status", func(tr *transcript) {
		id := tr.id("send", "-to", "380501234567", "-json")
		tr.name("id", id)
		tr.clock.Advance(3 * time.Second)
		tr.run("status", id, "-json")
		tr.clock.Advance(5*time.Minute + time.Second)
		tr.run("-json", "status", id)
		tr.run("status", "00000000-0000-4000-8000-000000000000", "-json")
		tr.runEnv(map[string]string{"BSG_API_KEY": "not-the-key"}, "status", id, "-json")
	}},
	{"list", func(tr *transcript) {
		tr.run("list", "-json")
		first := tr.id("send", "-to", "380501234567", "-json")
		tr.name("id", first)
		tr.clock.Advance(time.Minute)
		tr.id("send", "-to", "351912345678", "-channel", "viber", "-json")
		tr.run("verify", first, tr.code(first), "-json")
		tr.run("list", "-sort", "created_at", "-order", "asc", "-json")
		tr.run("list", "-limit", "5", "-json")
		tr.run("list", "-status", "done", "-json")
		tr.run("list", "-from", "yesterday", "-json")
	}},
	{"templates_list", func(tr *transcript) {
		tr.run("templates", "list", "-json")
		tr.run("-json", "templates", "list", "-status", "approved")
		tr.run("templates", "list", "-ids", "1,x", "-json")
	}},
	{"templates_get", func(tr *transcript) {
		tr.run("templates", "get", "1", "-json")
		tr.run("templates", "get", "99", "-json")
		tr.run("templates", "get", "0", "-json")
	}},
	{"templates_create", func(tr *transcript) {
		tr.run("templates", "create", "-name", "Login code", "-text", "Your login code: {code2fa}", "-countries", "ua,PT", "-json")
		tr.run("templates", "create", "-name", "Login code", "-text", "Another code: {code2fa}", "-countries", "UA", "-json")
		tr.run("templates", "create", "-name", "Twice", "-text", "{code2fa} and {code2fa}", "-countries", "UA", "-json")
	}},
	{"templates_delete", func(tr *transcript) {
		id := tr.id("templates", "create", "-name", "Login code", "-text", "Your login code: {code2fa}", "-countries", "UA", "-json")
		tr.run("templates", "delete", id, "-json")
		tr.run("templates", "delete", id, "-json")
		tr.run("templates", "delete", "1", "-json")
	}},
	{"usage", func(tr *transcript) {
		tr.run("-json")
		tr.run("-json", "bogus")
		tr.run("status", "-json", "-bogus")
		tr.run("-json", "-base-url", "http://example.com", "list")
		tr.runEnv(map[string]string{"BSG_API_KEY": ""}, "list", "-json")
	}},
}

// TestGolden pins the JSON output of every subcommand, success and failure, in
// testdata/<name>.golden. Run "go test ./cmd/bsg2fa -run TestGolden -update" to rewrite them
// after a deliberate change, and review the diff.
func TestGolden(t *testing.T) {
	for _, s := range goldenScenarios {
		t.Run(s.name, func(t *testing.T) {
			tr := newTranscript(t, "golden-"+s.name, sandbox.WithStopList("380509999999"))
			s.play(tr)
			got := tr.text.String()
			path := filepath.Join("testdata", s.name+".golden")
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run with -update to create it")
			assert.Equal(t, string(want), got, "%s is out of date; run with -update and review the diff", path)
		})
	}
}

// TestGoldenIsStable plays one scenario twice: the goldens can only pin what does not change.
func TestGoldenIsStable(t *testing.T) {
	var texts []string
	for range 2 {
		tr := newTranscript(t, "golden-verify")
		goldenScenarios[2].play(tr)
		texts = append(texts, tr.text.String())
	}
	assert.Equal(t, texts[0], texts[1])
	assert.NotContains(t, texts[0], time.Now().UTC().Format(time.DateOnly), "a date from the real clock")
}

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestJSONOutputIsSnakeCase decodes every output of every golden run with a plain
// map[string]any: stdout is one JSON value on success and empty on failure, stderr is empty on
// success and exactly one JSON error object on failure, and every key is snake_case.
func TestJSONOutputIsSnakeCase(t *testing.T) {
	runs := 0
	for _, s := range goldenScenarios {
		tr := newTranscript(t, "golden-"+s.name, sandbox.WithStopList("380509999999"))
		s.play(tr)
		for _, r := range tr.results {
			runs++
			if r.code == exitOK {
				require.Empty(t, r.stderr)
				for _, key := range jsonKeys(t, r.stdout) {
					assert.Regexp(t, snakeCase, key, "stdout of %s: %s", s.name, r.stdout)
				}
				continue
			}
			require.Empty(t, r.stdout, "%s: a failure prints nothing on stdout", s.name)
			keys := jsonKeys(t, r.stderr)
			for _, key := range keys {
				assert.Regexp(t, snakeCase, key, "stderr of %s: %s", s.name, r.stderr)
			}
			var e map[string]map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.stderr), &e))
			require.Len(t, e, 1)
			assert.ElementsMatch(t, []string{"kind", "status", "message", "field", "retry_after"}, keysOf(e["error"]), r.stderr)
			assert.Regexp(t, snakeCase, e["error"]["kind"])
			wantExit := exitFailure
			if e["error"]["kind"] == kindUsage || e["error"]["kind"] == "invalid_params" && e["error"]["status"] == nil {
				wantExit = exitUsage
			}
			assert.Equal(t, wantExit, r.code, r.stderr)
		}
	}
	assert.Greater(t, runs, 40)
}

// jsonKeys decodes out, which must hold exactly one JSON value, and returns every object key
// in it at any depth.
func jsonKeys(t *testing.T, out string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var v any
	require.NoError(t, dec.Decode(&v), "not JSON: %q", out)
	_, err := dec.Token()
	require.ErrorIs(t, err, io.EOF, "more than one JSON value: %q", out)
	var keys []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				keys = append(keys, k)
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return keys
}

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
