@echo off
rem tillgate-edge on PATH (install.ps1 adds C:\Program Files\tillgate-edge\bin): the agent's CLI on the
rem bundled Node 24 runtime; --config defaults to %ProgramData%\tillgate\edge.json. UNTESTED (README.md).
setlocal
set "BASE=%~dp0.."
set "CONFIG=--config %ProgramData%\tillgate\edge.json"
echo %* | findstr /C:"--config" >nul && set "CONFIG="
if "%1"=="hash-password" set "CONFIG="
"%BASE%\node\node.exe" --max-old-space-size=96 --max-semi-space-size=8 "%BASE%\app\edge\src\cli.ts" %* %CONFIG%
