package testkit

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"time"
)

// jwtHeader is the header of every token made here: the one the service's bearers carry.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// jwtCount makes every token JWTAt returns different from the others.
var jwtCount atomic.Int64

// JWTPayload returns a bearer shaped like the service's, header.payload.signature, whose
// payload is the text payload exactly, valid JSON or not, for tests of how the claims are
// read. The signature is a fixed placeholder: the wrapper reads a bearer's claims and never
// checks its signature.
func JWTPayload(payload string) string {
	return jwtHeader + "." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
}

// JWTAt returns a bearer issued at iat that expires at exp; a zero time leaves its claim
// out. Every call returns a token no other call returned, with a signature of its own, so
// that a test can tell a refreshed bearer from the one before and look for the signature
// alone in what the client logged.
func JWTAt(iat, exp time.Time) string {
	n := jwtCount.Add(1)
	claims := map[string]any{"sub": "account-7", "jti": n}
	if !iat.IsZero() {
		claims["iat"] = iat.Unix()
	}
	if !exp.IsZero() {
		claims["exp"] = exp.Unix()
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err) // a map of strings and integers always marshals
	}
	enc := base64.RawURLEncoding
	return jwtHeader + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte("signature-"+strconv.FormatInt(n, 10)))
}
