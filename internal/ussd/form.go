package ussd

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
)

// maxBody bounds a callback body. A whole session's path is a few hundred
// characters; anything near this is not from the gateway.
const maxBody = 8 << 10

// readForm reads a form body strictly: the right content type, a bounded
// size, valid encoding and no field given twice.
func readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, badRequest("body must be application/x-www-form-urlencoded, got Content-Type %q", ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, badRequest("body larger than %d bytes", maxBody)
	}
	if err != nil {
		return nil, badRequest("read body: %v", err)
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, badRequest("malformed form body: %v", err)
	}
	for k, v := range vals {
		if len(v) > 1 {
			return nil, badRequest("field %q given %d times", k, len(v))
		}
	}
	return vals, nil
}
