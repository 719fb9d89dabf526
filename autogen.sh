#!/bin/sh
# Generates configure and the Makefile templates (autoconf, automake, libtool).
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf -fi
