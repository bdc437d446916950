// Package gen holds the Go code that oapi-codegen produces from api/bsg-2fa.yaml:
// models, a ClientWithResponses, and a strict server interface with net/http glue.
//
// Nothing here is written by hand: change the spec and run `go generate ./...`.
package gen

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config oapi-codegen.yaml ../api/bsg-2fa.yaml
