; PosPay's additions to electron-builder's NSIS installer (electron-builder.yml: nsis.include).
;
;   PosPay-Setup-<version>-x64.exe /S /KIOSK   silent install; PosPay starts at every sign-in
;                                              on this machine, full screen (--kiosk)
;   PosPay-Setup-<version>-x64.exe /KIOSK      the same, with the installer's pages
;   ... /S /NOKIOSK                            silent install that removes the start at sign-in
;
; Start at sign-in: the value "PosPay" of HKLM\Software\Microsoft\Windows\CurrentVersion\Run
; (64-bit view), "<install dir>\PosPay.exe" --kiosk. An update keeps it (electron-updater and a
; pushed installer run the old version's uninstaller with --updated, and a new installer
; without /KIOSK leaves it as it is); a real uninstall removes it.
;
; The data folder, %ProgramData%\PosPay (journal, settings, logs: electron/app/paths.ts), is
; created here with modify rights for the local Users group, so that the cashier's standard
; account can write the journal the administrator's install created. Nothing here or in
; electron-builder's uninstaller (deleteAppDataOnUninstall: false) removes it: the journal
; survives uninstall and reinstall.
;
; ${isUpdated}, ${GetParameters}, ${GetOptions} and APP_EXECUTABLE_FILENAME are electron-builder's
; (its templates include FileFunc.nsh and LogicLib.nsh); test/integration/packaging/nsis.test.ts
; compiles this file with makensis against stand-ins for them.

!include "FileFunc.nsh"
!include "LogicLib.nsh"

!define POSPAY_RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define POSPAY_RUN_VALUE "PosPay"
!define POSPAY_USERS_SID "*S-1-5-32-545"

!macro customInstall
  Push $R0
  Push $R1
  Push $R2

  ; The data folder, writable by the cashier's account.
  ReadEnvStr $R0 "ProgramData"
  ${If} $R0 == ""
    StrCpy $R0 "C:\ProgramData"
  ${EndIf}
  CreateDirectory "$R0\PosPay"
  nsExec::Exec '"$SYSDIR\icacls.exe" "$R0\PosPay" /grant ${POSPAY_USERS_SID}:(OI)(CI)M /Q'
  Pop $R1
  ${If} $R1 != 0
    DetailPrint "PosPay: could not give Users write access to $R0\PosPay (icacls: $R1)"
  ${EndIf}

  ; /KIOSK: start at every sign-in, full screen. /NOKIOSK: no longer.
  ${GetParameters} $R2
  ClearErrors
  ${GetOptions} $R2 "/KIOSK" $R1
  ${IfNot} ${Errors}
    SetRegView 64
    WriteRegStr HKLM "${POSPAY_RUN_KEY}" "${POSPAY_RUN_VALUE}" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" --kiosk'
    SetRegView lastused
    DetailPrint "PosPay: starts at sign-in in kiosk mode"
  ${EndIf}
  ClearErrors
  ${GetOptions} $R2 "/NOKIOSK" $R1
  ${IfNot} ${Errors}
    SetRegView 64
    DeleteRegValue HKLM "${POSPAY_RUN_KEY}" "${POSPAY_RUN_VALUE}"
    SetRegView lastused
  ${EndIf}
  ClearErrors

  Pop $R2
  Pop $R1
  Pop $R0
!macroend

!macro customUnInstall
  ; An update runs this uninstaller with --updated: the start at sign-in stays.
  ${IfNot} ${isUpdated}
    SetRegView 64
    DeleteRegValue HKLM "${POSPAY_RUN_KEY}" "${POSPAY_RUN_VALUE}"
    SetRegView lastused
  ${EndIf}
  ; %ProgramData%\PosPay (the journal) is left in place on purpose.
!macroend
