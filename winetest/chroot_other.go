//go:build !linux

package winetest

import (
	"context"
	"errors"

	"github.com/charmbracelet/log"
)

var errNoChroot = errors.New("the Debian 13 chroot is set up on Linux only")

func chrootWine(context.Context, *log.Logger, string) (*Wine, error) { return nil, errNoChroot }

func bind(string, string) error { return errNoChroot }

func unmount(string) error { return errNoChroot }
