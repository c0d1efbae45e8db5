module lakebase.local/emulator

go 1.21
