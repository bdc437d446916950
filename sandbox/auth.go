package sandbox

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"hash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// jwtHeader is the base64url form of {"alg":"HS256","typ":"JWT"}; the sandbox signs every
// bearer with it and accepts no other, so "alg" tricks have nothing to work with.
const jwtHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

// strictB64 refuses the non-canonical encodings plain decoding lets through (the unused low
// bits of a signature's last character set): only the very string issued is accepted.
var strictB64 = base64.RawURLEncoding.Strict()

// signer issues and checks HS256 bearers with a key made at New, so a bearer from one sandbox
// is refused by every other.
type signer struct {
	macs sync.Pool // of hash.Hash; hmac.New costs more than a check
	seq  atomic.Uint64
}

type claims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Iat int64  `json:"iat"`
	Exp int64  `json:"exp"`
	Jti string `json:"jti"`
}

func newSigner() *signer {
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24 and later)
	s := &signer{}
	s.macs.New = func() any { return hmac.New(sha256.New, key) }
	return s
}

func (s *signer) sum(dst []byte, signed string) []byte {
	m := s.macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(signed))
	dst = m.Sum(dst)
	s.macs.Put(m)
	return dst
}

// issue makes a bearer valid from now for ttl. jti makes two bearers issued in the same
// second differ, so a refresh always hands out a new string.
func (s *signer) issue(now time.Time, ttl time.Duration) string {
	c := claims{
		Iss: "bsg2fa-sandbox",
		Sub: "sandbox",
		Iat: now.Unix(),
		Exp: now.Add(ttl).Unix(),
		Jti: strconv.FormatUint(s.seq.Add(1), 10),
	}
	payload, _ := json.Marshal(c) // a struct of strings and integers always marshals
	signed := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	var buf [sha256.Size]byte
	return signed + "." + base64.RawURLEncoding.EncodeToString(s.sum(buf[:0], signed))
}

// valid reports whether the request carries a bearer this sandbox signed that has not
// expired by now.
func (s *signer) valid(r *http.Request, now time.Time) bool {
	auth := r.Header.Get("Authorization")
	if len(auth) < 7 || !strings.EqualFold(auth[:7], "Bearer ") {
		return false
	}
	token := strings.TrimSpace(auth[7:])
	head, rest, ok := strings.Cut(token, ".")
	if !ok || head != jwtHeader {
		return false
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || base64.RawURLEncoding.DecodedLen(len(sig)) != sha256.Size {
		return false
	}
	var got, want [sha256.Size]byte
	if _, err := strictB64.Decode(got[:], []byte(sig)); err != nil {
		return false
	}
	if !hmac.Equal(got[:], s.sum(want[:0], token[:len(head)+1+len(payload)])) {
		return false
	}
	var buf [256]byte
	if base64.RawURLEncoding.DecodedLen(len(payload)) > len(buf) {
		return false
	}
	n, err := strictB64.Decode(buf[:], []byte(payload))
	if err != nil {
		return false
	}
	exp, ok := expOf(buf[:n])
	return ok && now.Unix() < exp
}

// expOf reads the exp claim of a payload this sandbox signed (the signature is checked
// first), without a JSON decoder: checking bearers is on every request's path.
func expOf(payload []byte) (int64, bool) {
	i := bytes.Index(payload, []byte(`"exp":`))
	if i < 0 {
		return 0, false
	}
	rest := payload[i+len(`"exp":`):]
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	exp, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	return exp, err == nil
}
