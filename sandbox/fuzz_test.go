package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/go-bsg/bsg2fa/api"
	"github.com/go-bsg/bsg2fa/gen"
)

// Run one target with e.g. go test -run '^$' -fuzz '^FuzzSandboxRequest$' -fuzztime 30s ./sandbox/
// Without -fuzz, the seeds below run as ordinary tests.

// fuzzSigner signs with a fixed key, so the bearers it issues are the same in every process
// and can be seeds the fuzzer mutates.
func fuzzSigner() *signer {
	key := []byte("fuzz-key-fuzz-key-fuzz-key-fuzz!")
	s := &signer{}
	s.macs.New = func() any { return hmac.New(sha256.New, key) }
	return s
}

var fuzzEpoch = time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)

func bearerRequest(header string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/2fa/authentications/templates", nil)
	r.Header["Authorization"] = []string{header}
	return r
}

func FuzzBearerCheck(f *testing.F) {
	s := fuzzSigner()
	issued := map[string]bool{}
	var first string
	for i := range 3 {
		tok := s.issue(fuzzEpoch, time.Hour)
		issued[tok] = true
		if i == 0 {
			first = tok
		}
	}
	head, rest, _ := strings.Cut(first, ".")
	payload, sig, _ := strings.Cut(rest, ".")
	for _, h := range []string{
		"Bearer " + first, "bearer " + first, "BEARER  " + first + " \t", "Bearer" + first,
		"Basic " + first, first, "Bearer", "Bearer ", "", "Bearer a.b.c",
		"Bearer " + first + "=", "Bearer " + first + "==", "Bearer " + first[:len(first)-1],
		"Bearer " + first + "A", "Bearer " + first + ".",
		"Bearer " + head + "." + payload + "." + sig[:len(sig)-1] + "Z",
		"Bearer " + head + "." + payload + "=." + sig,
		"Bearer " + head + "." + payload + "." + strings.ReplaceAll(sig, "_", "/"),
		"Bearer " + head + "." + payload + "." + sig[:20] + "\n" + sig[20:],
		"Bearer " + head + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"exp":99999999999}`)) + "." + sig,
		"Bearer eyJhbGciOiJub25lIn0." + payload + ".",
		"Bearer " + head + "." + strings.Repeat("A", 400) + "." + sig,
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := s.valid(bearerRequest(header), fuzzEpoch)
		// The scheme is case-insensitive and the token may be padded with spaces; the token
		// itself must be one this signer issued, byte for byte.
		want := len(header) >= 7 && strings.EqualFold(header[:7], "Bearer ") && issued[strings.TrimSpace(header[7:])]
		if got != want {
			t.Fatalf("valid(%q) = %v, want %v", header, got, want)
		}
	})
}

func FuzzBearerLifetime(f *testing.F) {
	f.Add(int64(0), int64(3600), int64(0), uint16(0), byte('x'))
	f.Add(int64(1_715_342_400), int64(1), int64(1), uint16(100), byte('A'))
	f.Add(int64(1_715_342_400), int64(2_592_000), int64(2_592_000), uint16(200), byte('B'))
	f.Add(int64(1_715_342_400), int64(60), int64(59), uint16(0xffff), byte('='))
	f.Add(int64(1_715_342_400), int64(60), int64(-5), uint16(3), byte('.'))
	f.Fuzz(func(t *testing.T, issueSec, ttlSec, atSec int64, pos uint16, b byte) {
		// A clock from 1970 to about 2500 and a lifetime from a second to about 30 years.
		issueSec = mod(issueSec, 16_500_000_000)
		ttlSec = 1 + mod(ttlSec, 1_000_000_000)
		atSec = issueSec + mod(atSec, 2*ttlSec+2) - 1
		s := fuzzSigner()
		issuedAt := time.Unix(issueSec, 0).UTC()
		tok := s.issue(issuedAt, time.Duration(ttlSec)*time.Second)
		exp := issueSec + ttlSec

		at := time.Unix(atSec, 0).UTC()
		if got, want := s.valid(bearerRequest("Bearer "+tok), at), atSec < exp; got != want {
			t.Fatalf("bearer issued at %d for %ds checked at %d: valid %v, want %v", issueSec, ttlSec, atSec, got, want)
		}
		// Any change of one byte is refused, even while the bearer is otherwise valid.
		i := int(pos) % len(tok)
		if tok[i] == b {
			return
		}
		mutated := tok[:i] + string([]byte{b}) + tok[i+1:]
		if s.valid(bearerRequest("Bearer "+mutated), issuedAt) {
			t.Fatalf("bearer with byte %d changed from %q to %q accepted", i, tok[i], b)
		}
	})
}

// mod is the non-negative remainder of a by m (m > 0).
func mod(a, m int64) int64 {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}

func FuzzExpOf(f *testing.F) {
	for _, s := range []string{
		`{"iss":"bsg2fa-sandbox","sub":"sandbox","iat":1715342400,"exp":1715346000,"jti":"1"}`,
		`{"exp":}`, `{"exp":-1}`, `{"exp":99999999999999999999}`, `{"exp":007}`, `"exp":`, ``,
		`{"exp": 5}`, `{"exp":1e3}`, `{"exp":9223372036854775807}`,
	} {
		f.Add([]byte(s), "sandbox", "1", int64(1_715_342_400), int64(1_715_346_000))
	}
	f.Add([]byte(`{}`), `","exp":1,"x":"`, `"exp":2`, int64(-1), int64(-7))
	f.Fuzz(func(t *testing.T, payload []byte, sub, jti string, iat, exp int64) {
		// Arbitrary bytes: no panic, and an exp only where the payload has one.
		if v, ok := expOf(payload); ok {
			if v < 0 || !bytes.Contains(payload, []byte(`"exp":`)) {
				t.Fatalf("expOf(%q) = %d", payload, v)
			}
		}
		// What issue signs: the exp claim is read back whatever the other claims hold.
		signed, err := json.Marshal(claims{Iss: "bsg2fa-sandbox", Sub: sub, Iat: iat, Exp: exp, Jti: jti})
		if err != nil {
			t.Fatal(err)
		}
		got, ok := expOf(signed)
		switch {
		case exp >= 0 && (!ok || got != exp):
			t.Fatalf("expOf(%s) = %d, %v; want %d", signed, got, ok, exp)
		case exp < 0 && ok:
			// A negative exp is in the past: refusing it is the safe answer.
			t.Fatalf("expOf(%s) = %d, want refused", signed, got)
		}
	})
}

// ratOf reads a decimal written with the separator sep.
func ratOf(t *testing.T, s string, sep byte) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(strings.Replace(s, string(sep), ".", 1))
	if !ok {
		t.Fatalf("big.Rat cannot read %q", s)
	}
	return r
}

var ratScale = big.NewRat(moneyScale, 1)

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{
		"0", "12", "0.02", "0,02", "0.0642918", "50.25", " 1.5 ", "1.", ".5", "", "-1", "+1",
		"1.00000001", "99999999999.9999999", "999999999999", "1,2,3", "1.2,3", "0x10", "1e3",
		"٣", "1_000", "00000000001.0000001",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseMoney(s)
		if ValidAmount(s) != (err == nil) {
			t.Fatalf("ValidAmount(%q) disagrees with parseMoney: %v", s, err)
		}
		if err != nil {
			if !errors.Is(err, errMoney) || v != 0 {
				t.Fatalf("parseMoney(%q) = %d, %v", s, v, err)
			}
			return
		}
		if v < 0 {
			t.Fatalf("parseMoney(%q) = %d: negative or wrapped", s, v)
		}
		text := strings.TrimSpace(s)
		if want := new(big.Rat).Mul(ratOf(t, text, ','), ratScale); want.Cmp(new(big.Rat).SetInt64(v)) != 0 {
			t.Fatalf("parseMoney(%q) = %d, want %s", s, v, want.FloatString(0))
		}
		for _, sep := range []byte{'.', ','} {
			out := formatMoney(v, sep)
			if again, err := parseMoney(out); err != nil || again != v {
				t.Fatalf("parseMoney(formatMoney(%d, %q) = %q) = %d, %v", v, sep, out, again, err)
			}
		}
	})
}

func FuzzFormatMoney(f *testing.F) {
	for _, v := range []int64{0, 1, 200_000, 642_918, 502_500_000, -100_000, 10_000_000, math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		f.Add(v, false)
	}
	f.Fuzz(func(t *testing.T, v int64, comma bool) {
		sep := byte('.')
		if comma {
			sep = ','
		}
		out := formatMoney(v, sep)
		if got := new(big.Rat).Mul(ratOf(t, out, sep), ratScale); got.Cmp(new(big.Rat).SetInt64(v)) != 0 {
			t.Fatalf("formatMoney(%d) = %q, which is %s units", v, out, got.FloatString(1))
		}
		digits := strings.TrimPrefix(out, "-")
		whole, frac, found := strings.Cut(digits, string(sep))
		canonical := isDigits(whole) && (whole == "0" || whole[0] != '0') &&
			(!found || isDigits(frac) && len(frac) <= 7 && !strings.HasSuffix(frac, "0")) &&
			(v < 0) == strings.HasPrefix(out, "-")
		if !canonical {
			t.Fatalf("formatMoney(%d) = %q is not canonical", v, out)
		}
	})
}

func FuzzParseBound(f *testing.F) {
	for _, s := range []string{
		"2024-05-01", "2024-05-01 10:20:30", "2024-05-01T10:20:30", "2024-05-01T10:20:30Z",
		"2024-05-01T10:20:30+03:00", "2024-05-01T10:20:30+0300", "2024-05-01T10:20", "2024-05-01T10:20Z",
		"2024-05-01T10:20:30.999999999Z", "2024-02-30", "2024-5-1", "", "0000-01-01", "9999-12-31",
		"9999-12-31T23:59:59-23:59", "2024-05-01X10:20:30", "2024-05-01 ", "2024-05-01T24:00:00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		lo, okLo := parseBound(v, false)
		hi, okHi := parseBound(v, true)
		if okLo != okHi {
			t.Fatalf("parseBound(%q): accepted as one bound only", v)
		}
		if !okLo {
			if !lo.IsZero() || !hi.IsZero() {
				t.Fatalf("parseBound(%q) refused but returned %v, %v", v, lo, hi)
			}
			return
		}
		for _, b := range []time.Time{lo, hi} {
			if b.Location() != time.UTC || b.Nanosecond() != 0 {
				t.Fatalf("parseBound(%q) = %v: not a UTC second", v, b)
			}
		}
		if len(v) == len("2006-01-02") {
			if lo.Format("2006-01-02") != v || lo.Hour()+lo.Minute()+lo.Second() != 0 || hi.Sub(lo) != 24*time.Hour-time.Second {
				t.Fatalf("date %q read as [%v, %v]", v, lo, hi)
			}
			return
		}
		if !lo.Equal(hi) {
			t.Fatalf("date-time %q read as two instants %v, %v", v, lo, hi)
		}
		if lo.Year() < 0 || lo.Year() > 9999 {
			return // an offset moved it out of the years RFC 3339 can write
		}
		if again, ok := parseBound(lo.Format(time.RFC3339), false); !ok || !again.Equal(lo) {
			t.Fatalf("%q read as %v, whose RFC 3339 form reads back as %v, %v", v, lo, again, ok)
		}
	})
}

func FuzzJSONScalar(f *testing.F) {
	for _, s := range []string{
		`"61401629754"`, `61401629754`, `"12"`, `12`, `"007"`, `007`, `-5`, `1.5`, `1e3`, `null`,
		`true`, `""`, `"\u0031"`, `"1`, `9223372036854775808`, `-0`, ` 12 `, `[1]`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := jsonScalar(raw)
		if !ok {
			if got != "" {
				t.Fatalf("jsonScalar(%q) refused but returned %q", raw, got)
			}
			return
		}
		if !json.Valid(raw) {
			t.Fatalf("jsonScalar accepted invalid JSON %q", raw)
		}
		if len(raw) > 0 && raw[0] == '"' {
			var want string
			if err := json.Unmarshal(raw, &want); err != nil || got != want {
				t.Fatalf("jsonScalar(%s) = %q, want %q (%v)", raw, got, want, err)
			}
			return
		}
		// A number comes back as the canonical text of an int64 of the same value.
		i, err := strconv.ParseInt(got, 10, 64)
		if err != nil || strconv.FormatInt(i, 10) != got {
			t.Fatalf("jsonScalar(%s) = %q: not a canonical integer", raw, got)
		}
		// json.Number also takes a quoted number: reachable only with whitespace before the
		// quote, which a json.RawMessage never has, and the value is the same.
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		f, isNum := v.(float64)
		if str, isStr := v.(string); isStr {
			var err error
			f, err = strconv.ParseFloat(str, 64)
			isNum = err == nil
		}
		if !isNum || math.Abs(f-float64(i)) > math.Abs(f)*1e-15 {
			t.Fatalf("jsonScalar(%s) = %q, not the same number", raw, got)
		}
	})
}

func FuzzCountryOf(f *testing.F) {
	for _, s := range []string{"61401629754", "380979965073", "1", "7", "44", "999", "", "3", "35", "4420", "+44", "٣٨٠"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, number string) {
		got := countryOf(number)
		longest := ""
		for n := 1; n <= min(3, len(number)); n++ {
			if _, ok := callingCodes[number[:n]]; ok {
				longest = number[:n]
			}
		}
		want := unknownCountry
		if longest != "" {
			want = callingCodes[longest]
		}
		if got != want {
			t.Fatalf("countryOf(%q) = %q, want %q (code %q)", number, got, want, longest)
		}
	})
}

// The documented request bodies, as the documentation page and api/bsg-2fa.yaml show them.
const (
	seedLogin          = `{"api_key":"live_XXXXXXXXXXXXXXXXXXXX"}`
	seedSendSMS        = `{"recipient":"61401629754","channel":"sms","sender":"SENDER","template_id":"12","code_lifetime":300,"code_max_tries":3,"code_digits":5}`
	seedSendViber      = `{"recipient":"61401629754","channel":"viber","sender":"VIBER_NAME","sender_alt":"SMS_SENDER","template_id":12,"code_lifetime":300,"code_max_tries":3,"code_digits":5}`
	seedSendDefault    = `{"recipient":"380979965073","channel":"SMS","sender":"SENDER","template_id":1,"code_lifetime":30,"code_max_tries":1,"code_digits":9}`
	seedVerifyString   = `{"access_code":"76928"}`
	seedVerifyInteger  = `{"access_code":76928}`
	seedCreateTemplate = `{"name":"template name","countries":["UA","PT","AD","IT"],"text":"test code is {code2fa}"}`
	seedListAuth       = `page[offset]=0&page[limit]=10&filter[from]=2024-05-01&filter[to]=2024-05-31&filter[status]=pending&filter[channel]=SMS&filter[recipient]=61401629754&filter[country_code]=AU&way=desc&sort=created_at`
	seedListAuthIDs    = `filter[from]=2024-05-10 00:00:00&filter[to]=2024-05-11T00:00:00Z&filter[ids]=bf4381c8-9d4a-4705-bd28-f89a830b7f96&filter[ids]=x&sort=finished_at`
	seedListTemplates  = `page[offset]=0&page[limit]=10&filter[ids]=1&filter[ids]=2&filter[status]=approved&way=asc&sort=name`
)

// caseVariantSends spell members twice or in another letter case: kin-openapi reads exact
// names while encoding/json folds them, so each once passed validation with one value and
// reached the handler with another (testdata/fuzz/FuzzSandboxRequest holds them too).
var caseVariantSends = []string{
	`{"recipient":"61401629754","channel":"sms","sender":"SENDER","template_id":"12","code_lifetime":300,"code_max_tries":3,"code_digits":5,"CODE_DIGITS":100000000000}`,
	`{"recipient":"61401629754","channel":"sms","sender":"SENDER","template_id":"12","code_lifetime":300,"code_max_tries":3,"code_digits":5,"Code_Digits":0}`,
	`{"recipient":"61401629754","channel":"sms","sender":"SENDER","template_id":"12","code_lifetime":300,"code_max_tries":3,"code_digits":5,"CODE_DIGITS":-1}`,
	`{"recipient":"61401629754","channel":"sms","sender":"SENDER","template_id":"12","code_lifetime":300,"code_max_tries":3,"CODE_MAX_TRIES":1000000,"code_digits":5}`,
	`{"recipient":"61401629754","channel":"sms","sender":"SENDER","SENDER":"` + strings.Repeat("S", 4096) + `","template_id":"12","code_lifetime":300,"code_max_tries":3,"code_digits":5}`,
	`{"recipient":"61401629754","channel":"viber","sender":"SENDER","SENDER_ALT":"` + strings.Repeat("A", 4096) + `","template_id":"12","code_lifetime":300,"code_max_tries":3,"code_digits":5}`,
	"{\"recipient\":\"61401629754\",\"channel\":\"sms\",\"sender\":\"SENDER\",\"template_id\":\"12\",\"code_lifetime\":300,\"code_max_tries\":3,\"code_digit\u017f\":100000000000,\"code_digits\":5}",
	`{"recipient":"61401629754","channel":"sms","sender":"SENDER","template_id":"12","code_lifetime":300,"code_lifetime":31536000,"code_max_tries":3,"code_digits":5}`,
}

// fuzzOp is one operation of the document: how to call it and what a success decodes into.
type fuzzOp struct {
	method, path string // path with {p} where the path parameter goes
	body, query  bool
	success      func() any
}

var fuzzOps = []fuzzOp{
	{http.MethodPost, "/api/auth/login", true, false, func() any { return new(gen.TokenResponse) }},
	{http.MethodPost, "/api/auth/refresh", false, false, func() any { return new(gen.TokenResponse) }},
	{http.MethodPost, "/api/2fa/authentications/otp", true, false, func() any { return new(gen.AuthenticationResponse) }},
	{http.MethodPost, "/api/2fa/authentications/otp/{p}/resend", false, false, func() any { return new(gen.AuthenticationResponse) }},
	{http.MethodPost, "/api/2fa/authentications/otp/{p}/verify", true, false, func() any { return new(gen.AuthenticationResponse) }},
	{http.MethodPost, "/api/2fa/authentications/{p}/cancel", false, false, func() any { return new(gen.AuthenticationResponse) }},
	{http.MethodGet, "/api/2fa/authentications/{p}", false, true, func() any { return new(gen.AuthenticationResponse) }},
	{http.MethodGet, "/api/2fa/authentications", false, true, func() any { return new(gen.AuthenticationListResponse) }},
	{http.MethodGet, "/api/2fa/authentications/templates", false, true, func() any { return new(gen.TemplateListResponse) }},
	{http.MethodPost, "/api/2fa/authentications/templates", true, false, func() any { return new(gen.TemplateResponse) }},
	{http.MethodGet, "/api/2fa/authentications/templates/{p}", false, true, func() any { return new(gen.TemplateResponse) }},
	{http.MethodDelete, "/api/2fa/authentications/templates/{p}", false, false, func() any { return new(gen.DeleteTemplateResult) }},
}

// Bits of the flags argument of FuzzSandboxRequest.
const (
	flagKnownID   = 1 << iota // put the id of the latest session in place of the fuzzed one
	flagNoBearer              // send no Authorization header
	flagBadBearer             // send a bearer of another signer
	flagTextPlain             // send the body as text/plain
	flagNoType                // send the body without Content-Type
)

// fuzzSandbox is one sandbox for the whole fuzzing process, with a bearer from one login.
type fuzzSandbox struct {
	srv    *Server
	bearer string
	router routers.Router
	probe  *http.ServeMux // routes like the sandbox, to tell which requests reach an operation
	clock  atomic.Int64   // unix seconds; every input moves it on a minute
	lastID atomic.Value   // string: the id of the latest session created
}

func newFuzzSandbox(f *testing.F) *fuzzSandbox {
	f.Helper()
	fs := &fuzzSandbox{}
	fs.clock.Store(fuzzEpoch.Unix())
	fs.lastID.Store("")
	fs.srv = New(
		WithClock(func() time.Time { return time.Unix(fs.clock.Load(), 0) }),
		WithAPIKey("live_XXXXXXXXXXXXXXXXXXXX"),
		WithTokenTTL(100*365*24*time.Hour),
		WithRand(rand.NewChaCha8([32]byte{7})),
		WithMaxSessions(100),
		WithApprovedTemplate(12, "Twelve", "Code {code2fa}", "AU", "UA"),
	)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/auth/login", strings.NewReader(seedLogin))
	req.Header.Set("Content-Type", "application/json")
	fs.srv.ServeHTTP(rec, req)
	var tok gen.TokenResponse
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &tok) != nil || tok.Bearer == "" {
		f.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	fs.bearer = tok.Bearer

	fs.probe = http.NewServeMux()
	for _, op := range fuzzOps {
		fs.probe.HandleFunc(op.method+" "+op.path, func(http.ResponseWriter, *http.Request) {})
	}

	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		f.Fatal(err)
	}
	doc.Servers = nil // match paths on any host
	if fs.router, err = legacy.NewRouter(doc); err != nil {
		f.Fatal(err)
	}
	return fs
}

func FuzzSandboxRequest(f *testing.F) {
	fs := newFuzzSandbox(f)
	for i, op := range fuzzOps {
		switch {
		case op.path == "/api/auth/login":
			f.Add(uint8(i), uint8(0), "", "", []byte(seedLogin))
			f.Add(uint8(i), uint8(0), "", "", []byte(`{"api_key":"wrong"}`))
		case op.path == "/api/2fa/authentications/otp":
			for _, b := range []string{seedSendSMS, seedSendViber, seedSendDefault} {
				f.Add(uint8(i), uint8(0), "", "", []byte(b))
			}
			f.Add(uint8(i), uint8(flagTextPlain), "", "", []byte(seedSendSMS))
			for _, b := range caseVariantSends {
				f.Add(uint8(i), uint8(0), "", "", []byte(b))
			}
		case strings.HasSuffix(op.path, "/verify"):
			for _, b := range []string{seedVerifyString, seedVerifyInteger} {
				f.Add(uint8(i), uint8(flagKnownID), "", "", []byte(b))
				f.Add(uint8(i), uint8(0), "bf4381c8-9d4a-4705-bd28-f89a830b7f96", "", []byte(b))
			}
		case op.path == "/api/2fa/authentications/templates" && op.body:
			f.Add(uint8(i), uint8(0), "", "", []byte(seedCreateTemplate))
			f.Add(uint8(i), uint8(flagNoType), "", "", []byte(`{"name":"x","text":"no code"}`))
		case op.path == "/api/2fa/authentications":
			f.Add(uint8(i), uint8(0), "", seedListAuth, []byte(nil))
			f.Add(uint8(i), uint8(0), "", seedListAuthIDs, []byte(nil))
			f.Add(uint8(i), uint8(0), "", "filter[from]=nope&filter[to]=2024-05-31", []byte(nil))
		case op.path == "/api/2fa/authentications/templates":
			f.Add(uint8(i), uint8(0), "", seedListTemplates, []byte(nil))
			f.Add(uint8(i), uint8(0), "", "page[limit]=-1&sort=nope", []byte(nil))
		case strings.Contains(op.path, "/templates/{p}"):
			for _, id := range []string{"1", "12", "2", "0", "x", "99999999999999999999"} {
				f.Add(uint8(i), uint8(0), id, "", []byte(nil))
			}
		case strings.Contains(op.path, "{p}"):
			f.Add(uint8(i), uint8(flagKnownID), "", "", []byte(nil))
			f.Add(uint8(i), uint8(0), "bf4381c8-9d4a-4705-bd28-f89a830b7f96", "", []byte(nil))
			f.Add(uint8(i), uint8(0), strings.Repeat("a", 37), "", []byte(nil))
		default:
			f.Add(uint8(i), uint8(0), "", "", []byte(nil))
			f.Add(uint8(i), uint8(flagBadBearer), "", "", []byte(nil))
			f.Add(uint8(i), uint8(flagNoBearer), "", "", []byte(nil))
		}
	}
	f.Fuzz(func(t *testing.T, opN, flags uint8, id, query string, body []byte) {
		fs.clock.Add(60)
		op := fuzzOps[int(opN)%len(fuzzOps)]
		if flags&flagKnownID != 0 {
			id = fs.lastID.Load().(string)
		}
		target := strings.Replace(op.path, "{p}", url.PathEscape(id), 1)
		var reqBody io.Reader
		if op.body {
			reqBody = bytes.NewReader(body)
		}
		req, err := http.NewRequest(op.method, target, reqBody)
		if err != nil {
			return // not a request a client could send
		}
		if _, pattern := fs.probe.Handler(req); pattern != op.method+" "+op.path {
			// An id such as "", ".." or "/" makes another path, which reaches no operation:
			// Go's ServeMux answers it with its own 404 or redirect.
			return
		}
		if op.query {
			req.URL.RawQuery = query
		}
		switch {
		case !op.body:
		case flags&flagTextPlain != 0:
			req.Header.Set("Content-Type", "text/plain")
		case flags&flagNoType == 0:
			req.Header.Set("Content-Type", "application/json")
		}
		switch {
		case flags&flagNoBearer != 0:
		case flags&flagBadBearer != 0:
			req.Header.Set("Authorization", "Bearer "+fuzzSigner().issue(fuzzEpoch, time.Hour))
		default:
			req.Header.Set("Authorization", "Bearer "+fs.bearer)
		}
		rec := httptest.NewRecorder()
		fs.srv.ServeHTTP(rec, req)
		fs.check(t, op, req, rec)
	})
}

// check holds every answer to the document: a status it names, valid JSON, a 2xx body of the
// operation's success type and a 4xx body of ErrorBody that says something.
func (fs *fuzzSandbox) check(t *testing.T, op fuzzOp, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	status, body := rec.Code, rec.Body.Bytes()
	what := req.Method + " " + req.URL.String()
	if status >= 500 || status < 200 || (status >= 300 && status < 400) {
		t.Fatalf("%s answered %d: %s", what, status, body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s answered %d with Content-Type %q: %s", what, status, ct, body)
	}
	if !json.Valid(body) {
		t.Fatalf("%s answered %d with invalid JSON: %q", what, status, body)
	}
	if status < 300 {
		v := op.success()
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("%s answered %d with a body that is not a %T: %v\n%s", what, status, v, err, body)
		}
		switch v := v.(type) {
		case *gen.TokenResponse:
			if v.Bearer == "" {
				t.Fatalf("%s answered an empty bearer", what)
			}
		case *gen.AuthenticationResponse:
			if v.Data.Id == "" {
				t.Fatalf("%s answered a session without id: %s", what, body)
			}
			d := v.Data
			if d.CodeDigits < minCodeDigits || d.CodeDigits > maxCodeDigits || d.CodeMaxTries < minCodeTries || d.CodeMaxTries > maxCodeTries ||
				d.CodeLifetime < minCodeLifetime || d.CodeLifetime > maxCodeLifetime || len(d.Sender) > maxSenderLen || len(d.Recipient) > maxPhoneDigits {
				t.Fatalf("%s stored a value out of the document's range: %s", what, body)
			}
			if op.path == "/api/2fa/authentications/otp" {
				fs.lastID.Store(v.Data.Id)
			}
		}
	} else {
		var e gen.ErrorBody
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("%s answered %d with a body that is not an ErrorBody: %v\n%s", what, status, err, body)
		}
		if e.Message == "" && (e.Errors == nil || len(bytes.Trim(mustJSON(t, e.Errors), "[]{} \n")) == 0) {
			t.Fatalf("%s answered %d without a message: %s", what, status, body)
		}
	}

	// The answer must be one the document describes for this operation and status.
	route, params, err := fs.router.FindRoute(req)
	if err != nil {
		// The path parameter cannot name anything (e.g. an id with a slash); the answer was
		// still checked above.
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Fatalf("%s answered %d with a response the document does not describe: %v\n%s", what, status, err, body)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
