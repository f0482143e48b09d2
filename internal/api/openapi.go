package api

import (
	_ "embed"
	"net/http"
)

// The OpenAPI document is written by hand and kept true by the contract
// tests, which check every route against it.
//
//go:embed openapi.json
var openapiJSON []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiJSON)
}
