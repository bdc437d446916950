// Package api carries the OpenAPI document of the BSG 2FA API, api/bsg-2fa.yaml, as bytes.
//
// The document is the source of the generated package gen. The sandbox and the tests load
// it with kin-openapi to check requests and responses; this package itself imports nothing,
// so depending on it costs nothing.
package api

import _ "embed"

// Spec is the YAML text of api/bsg-2fa.yaml.
//
//go:embed bsg-2fa.yaml
var Spec []byte
