package berthedge

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Static files are served from a tenant's tree, which the tenant controls:
// any directory on the way may be replaced by a symlink at any time. So:
//
//  1. static_base (panel-owned, trusted) is opened, then every component of
//     the root's path below it is opened with openat(O_NOFOLLOW|O_DIRECTORY)
//     one at a time from the previous descriptor: a symlink anywhere on the
//     way to the root (e.g. public -> /etc) fails with ELOOP/ENOTDIR.
//  2. The root's descriptor becomes an os.Root (through /proc/self/fd, which
//     reopens that very directory, not a path), and the file is opened in
//     it: symlinks that stay inside the root work, `..` or symlinks that
//     escape it fail.
//  3. Any segment starting with "." (dotfiles, "..") is refused up front;
//     only regular files are served (a FIFO would block the open without
//     O_NONBLOCK), directories through their index.html.

var errStaticRefused = errors.New("refused")

// openStatic opens urlPath (which starts with a static prefix) under root,
// a clean absolute path inside base. It returns an open regular file.
func openStatic(base, root, urlPath string) (*os.File, fs.FileInfo, error) {
	name, wantDir, err := staticName(urlPath)
	if err != nil {
		return nil, nil, err
	}
	dir, err := openRootDir(base, root)
	if err != nil {
		return nil, nil, err
	}
	defer dir.Close()

	f, info, err := openRegular(dir, name)
	if err == nil && info.IsDir() {
		_ = f.Close()
		f, info, err = openRegular(dir, name+"/index.html")
		if err == nil && info.IsDir() {
			_ = f.Close()
			err = errStaticRefused
		}
	} else if err == nil && wantDir {
		_ = f.Close()
		err = errStaticRefused
	}
	if err != nil {
		return nil, nil, err
	}
	return f, info, nil
}

// staticName turns the URL path into a name inside the root: "/static/a.css"
// → "static/a.css". Segments starting with "." and empty segments are
// refused; a trailing "/" asks for a directory.
func staticName(urlPath string) (name string, wantDir bool, err error) {
	name, ok := strings.CutPrefix(urlPath, "/")
	if !ok || strings.IndexByte(name, 0) >= 0 {
		return "", false, errStaticRefused
	}
	name, wantDir = strings.CutSuffix(name, "/")
	for seg := range strings.SplitSeq(name, "/") {
		if seg == "" || seg[0] == '.' {
			return "", false, errStaticRefused
		}
	}
	return name, wantDir, nil
}

// openRootDir opens root as an os.Root without following any symlink below
// base.
func openRootDir(base, root string) (*os.Root, error) {
	rel, ok := strings.CutPrefix(root, strings.TrimSuffix(base, "/")+"/")
	if !ok || rel == "" {
		return nil, errStaticRefused
	}
	fd, err := syscall.Open(base, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0) // trusted: may follow symlinks
	if err != nil {
		return nil, err
	}
	for comp := range strings.SplitSeq(rel, "/") {
		if comp == "" || comp == "." || comp == ".." {
			_ = syscall.Close(fd)
			return nil, errStaticRefused
		}
		next, err := openDirNoFollow(fd, comp)
		_ = syscall.Close(fd)
		if err != nil {
			return nil, err
		}
		fd = next
	}
	r, err := os.OpenRoot("/proc/self/fd/" + strconv.Itoa(fd))
	_ = syscall.Close(fd)
	return r, err
}

func openDirNoFollow(dirfd int, name string) (int, error) {
	for {
		fd, err := syscall.Openat(dirfd, name, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// openRegular opens name in dir and returns it if it is a regular file or a
// directory.
func openRegular(dir *os.Root, name string) (*os.File, fs.FileInfo, error) {
	f, err := dir.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() && !info.IsDir() {
		err = errStaticRefused
	}
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	return f, info, nil
}
