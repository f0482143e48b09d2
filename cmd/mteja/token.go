package main

import (
	"context"
	"fmt"
	"io"
)

func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return fmt.Errorf("%w: not built yet", errUsage)
}
