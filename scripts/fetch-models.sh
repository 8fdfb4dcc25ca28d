#!/usr/bin/env bash
# Placeholder until the model converter lands: fetches nothing.
exit 0
