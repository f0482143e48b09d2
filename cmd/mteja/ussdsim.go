package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mteja/mteja/internal/phone"
)

// runUSSDSim dials the USSD menus by hand from a terminal, playing the
// gateway: each line typed is one screen's input, sent with the whole path
// so far, as the gateway sends it.
func runUSSDSim(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return ussdSim(ctx, args, os.Stdin, stdout, stderr)
}

func ussdSim(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("ussd-sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: mteja ussd-sim [flags]\n\nDial the USSD menus from a terminal: type one input a line; the session ends on END or end of input.\n\nFlags:")
		fs.PrintDefaults()
	}
	target := fs.String("url", "http://127.0.0.1:8080/ussd", "USSD callback URL (add ?secret=... if the server wants one)")
	caller := fs.String("phone", "+254708374149", "caller's phone number")
	code := fs.String("code", "*384*123#", "service code dialled")
	network := fs.String("network", "99999", "network code: 63902 Safaricom, 63903 Airtel, 63907 Telkom, 99999 sandbox")
	sid := fs.String("session", "", "session id (default: a new random one)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	msisdn, err := phone.Normalize(*caller)
	if err != nil {
		return fmt.Errorf("%w: --phone: %v", errUsage, err)
	}
	if u, err := url.Parse(*target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w: --url %q is not an http(s) URL", errUsage, *target)
	}
	if *sid == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		*sid = "sim-" + hex.EncodeToString(b)
	}

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			select {
			case lines <- strings.TrimRight(sc.Text(), "\r"):
			case <-ctx.Done():
				return
			}
		}
	}()

	// The gateway allows the app about 15 s a screen.
	client := &http.Client{Timeout: 15 * time.Second}
	form := url.Values{
		"sessionId":   {*sid},
		"serviceCode": {*code},
		"phoneNumber": {"+" + msisdn},
		"networkCode": {*network},
		"text":        {""},
	}
	for n := 0; ; n++ {
		reply, err := ussdSimPost(ctx, client, *target, form)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, reply)
		switch {
		case strings.HasPrefix(reply, "END "):
			return nil
		case !strings.HasPrefix(reply, "CON "):
			return fmt.Errorf("reply %q starts with neither CON nor END: the gateway would end the session", reply)
		}
		fmt.Fprint(stderr, "> ")
		var line string
		select {
		case l, ok := <-lines:
			if !ok {
				fmt.Fprintln(stderr, "(hung up)")
				return nil
			}
			line = l
		case <-ctx.Done():
			return ctx.Err()
		}
		if n == 0 {
			form.Set("text", line)
		} else {
			form.Set("text", form.Get("text")+"*"+line)
		}
	}
}

func ussdSimPost(ctx context.Context, client *http.Client, target string, form url.Values) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return "", fmt.Errorf("ussd request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("ussd request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read ussd reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("ussd callback answered %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return string(body), nil
}
