; Inno Setup 6.3+ script: the Windows installer for Switchboard (see installer/README.md).
;
;   python installer\build.py          builds the program folder and, when Inno Setup is installed,
;                                      runs this script on it (dist\switchboard-<version>-setup.exe)
;   iscc /DBundleDir=<program folder> /DAppVersion=<version> /O<output folder> installer\windows\switchboard.iss
;
; BundleDir is the folder PyInstaller made (switchboard.exe, switchboard-cli.exe, _internal\).
; AppVersion defaults to the ProductVersion that folder's switchboard.exe carries, which the spec
; file took from app.__version__, so the installer and the program cannot disagree.

#ifndef BundleDir
  #error BundleDir is not set: run installer\build.py, or pass /DBundleDir=<the program folder>
#endif
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(AddBackslash(BundleDir) + "switchboard.exe", "ProductVersion")
#endif

[Setup]
; The AppId ties every version's installer to the same installation: never change it.
AppId={{DCBA08B2-BF67-4699-BEB2-32C71CC8996C}
AppName=Switchboard
AppVersion={#AppVersion}
AppVerName=Switchboard {#AppVersion}
AppPublisher=Switchboard
AppComments=A customer information workstation for utilities
VersionInfoProductName=Switchboard
VersionInfoProductTextVersion={#AppVersion}
DefaultDirName={autopf}\Switchboard
DefaultGroupName=Switchboard
DisableProgramGroupPage=yes
; For the person installing (no administrator needed), or for all users if they choose so.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=switchboard-{#AppVersion}-setup
SetupIconFile=..\..\app\resources\switchboard.ico
UninstallDisplayIcon={app}\switchboard.exe
UninstallDisplayName=Switchboard {#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; An open Switchboard is asked to close before its files are replaced.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the bundled libraries wholesale, so none of the old version's stay behind.
; The user's data (database, settings, logs in %LOCALAPPDATA%\switchboard) is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Switchboard"; Filename: "{app}\switchboard.exe"; Comment: "Customer information workstation"
Name: "{autodesktop}\Switchboard"; Filename: "{app}\switchboard.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\switchboard.exe"; Description: "{cm:LaunchProgram,Switchboard}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: filesandordirs; Name: "{app}\_internal"
