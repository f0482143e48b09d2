package portal

import (
	"errors"
	"mime"
	"net/http"
)

// maxForm bounds a form post. The largest form, a fault report with its
// note, is well under 2 KB; the server's own bound is four times this, for
// every route.
const maxForm = 16 << 10

// readForm reads a form post whole before a handler looks at it, so that
// an oversize or unreadable body is answered with a page: behind
// FormValue, the parse error would pass for empty fields.
func readForm(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost {
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	err := r.ParseForm()
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxForm)
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return &pageError{Status: http.StatusRequestEntityTooLarge, Key: "error.toolarge", cause: err}
	case err != nil:
		return &pageError{Status: http.StatusBadRequest, Key: "error.badform", cause: err}
	}
	return nil
}
