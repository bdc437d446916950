package redisstore

import "errors"

// errUnexpected reports a script answer of the wrong shape: a Redis that is not running these
// scripts, or a proxy in between that changes answers.
var errUnexpected = errors.New("redisstore: unexpected answer from Redis")
