package testkit

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jwtParts splits a token and decodes its header and payload.
func jwtParts(t *testing.T, tok string) (header, payload, sig string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3, tok)
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	return string(h), string(p), parts[2]
}

func TestJWTPayloadKeepsThePayloadAsWritten(t *testing.T) {
	for _, payload := range []string{`{"exp":1700003600}`, `{"exp":`, `[1,2]`, ``} {
		header, got, sig := jwtParts(t, JWTPayload(payload))
		assert.Equal(t, `{"alg":"HS256","typ":"JWT"}`, header)
		assert.Equal(t, payload, got)
		assert.NotEmpty(t, sig)
	}
	assert.Equal(t, JWTPayload(`{}`), JWTPayload(`{}`), "the same payload, the same token")
}

func TestJWTAtClaims(t *testing.T) {
	iat := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	claimsOf := func(tok string) map[string]any {
		_, payload, _ := jwtParts(t, tok)
		var c map[string]any
		require.NoError(t, json.Unmarshal([]byte(payload), &c))
		return c
	}
	c := claimsOf(JWTAt(iat, iat.Add(time.Hour)))
	assert.Equal(t, float64(iat.Unix()), c["iat"])
	assert.Equal(t, float64(iat.Add(time.Hour).Unix()), c["exp"])

	c = claimsOf(JWTAt(time.Time{}, iat))
	assert.NotContains(t, c, "iat")
	assert.Equal(t, float64(iat.Unix()), c["exp"])
	c = claimsOf(JWTAt(iat, time.Time{}))
	assert.NotContains(t, c, "exp")

	a, b := JWTAt(iat, iat.Add(time.Hour)), JWTAt(iat, iat.Add(time.Hour))
	assert.NotEqual(t, a, b)
	_, _, sigA := jwtParts(t, a)
	_, _, sigB := jwtParts(t, b)
	assert.NotEqual(t, sigA, sigB, "each token has a signature of its own")
}
