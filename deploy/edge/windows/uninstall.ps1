<#
.SYNOPSIS
  Removes the tillgate edge agent service. Keeps config and data unless -Purge. UNTESTED (README.md).
#>
param([switch] $Purge)
$ErrorActionPreference = 'Stop'
$base = Join-Path $env:ProgramFiles 'tillgate-edge'
$service = Join-Path $base 'tillgate-edge-service.exe'
if (Test-Path $service) {
  & $service stop | Out-Null
  & $service uninstall | Out-Null
}
Remove-Item $base -Recurse -Force -ErrorAction SilentlyContinue
$bin = Join-Path $base 'bin'
$machinePath = [Environment]::GetEnvironmentVariable('Path', 'Machine')
[Environment]::SetEnvironmentVariable('Path', (($machinePath -split ';') -ne $bin) -join ';', 'Machine')
if ($Purge) {
  Remove-Item (Join-Path $env:ProgramData 'tillgate-edge') -Recurse -Force -ErrorAction SilentlyContinue
  Remove-Item (Join-Path $env:ProgramData 'tillgate') -Recurse -Force -ErrorAction SilentlyContinue
  Write-Host 'tillgate-edge removed with its config and data'
} else {
  Write-Host "tillgate-edge removed; config and data kept in $env:ProgramData\tillgate and $env:ProgramData\tillgate-edge"
}
