// The app's own words in English and Spanish. Short sentences: a parent may read them at
// 3 a.m. with a sick child. The questionnaires bring their own text; this is the frame.
const WORDS = {
  en: {
    app_name: "Homeward",
    skip: "Skip to content",
    insecure_title: "This page is not secure",
    insecure_body: "Homeward only works over a secure connection (an address that starts with https). Ask the care team for the right link.",
    unsupported: "This browser cannot keep your entries safe. Please use an up-to-date Chrome, Safari or Firefox.",
    loading: "Opening…",
    enrol_title: "Connect this phone",
    enrol_intro: "The care team gave you a code. It is on the screen they showed you.",
    enrol_code: "Code from the care team",
    enrol_code_hint: "12 letters and numbers, like 1B4D-EHNJ-CFV5",
    enrol_name: "A name for this phone",
    enrol_name_default: "Family phone",
    enrol_who: "Who will use this phone?",
    enrol_who_parent: "Me, the parent or carer",
    enrol_who_child: "My child (12 or older), if the team said so",
    enrol_button: "Connect",
    enrolling: "Connecting…",
    enrol_code_missing: "Type the code, please.",
    enrol_code_bad: "This code is not right. Check it and try again.",
    enrol_code_used: "This code was already used. Ask the care team for a new one.",
    enrol_code_expired: "This code is too old. Ask the care team for a new one.",
    enrol_too_many: "Too many tries. Wait 15 minutes, then try again.",
    enrol_offline: "No connection. Connect to the internet, then try again.",
    enrol_failed: "Could not connect. Try again in a moment.",
    enrol_child_mismatch: "This code is for a parent, so this phone is set up for a parent.",
    enrol_again: "Connect again with a new code",
    install_title: "Put Homeward on your home screen",
    install_body: "Then it opens like an app, even with no signal.",
    install_button: "Add to home screen",
    install_ios: "On iPhone: tap Share, then “Add to Home Screen”.",
    install_later: "Not now",
    nav_today: "Today",
    nav_history: "History",
    nav_settings: "Settings",
    today_title: "Today",
    day_post_infusion: "Day {day} after the infusion",
    day_before_infusion: "The infusion is tomorrow.",
    days_to_infusion: "{days} days before the infusion.",
    clock_wrong: "This phone's date or time is wrong. Please set the phone's clock. Until then, what is due may show at the wrong time.",
    due_now: "To do now",
    due_next: "Next",
    nothing_due: "Nothing to do right now.",
    due_at: "due {time}",
    record_temperature: "Record a temperature now",
    record_diary: "Record symptoms now",
    record_other: "Other forms",
    last_temperatures: "Last temperatures",
    no_temperatures: "No temperatures yet.",
    sync_all_sent: "All sent at {time}.",
    sync_never: "Not sent yet.",
    sync_waiting_one: "1 entry waiting to send — it is safe on this phone.",
    sync_waiting_many: "{count} entries waiting to send — they are safe on this phone.",
    sync_sending: "Sending…",
    sync_rejected_one: "1 entry was not delivered. See History.",
    sync_rejected_many: "{count} entries were not delivered. See History.",
    sync_now: "Send now",
    sync_offline: "No connection. Entries will go when the phone is back online.",
    offline_short: "No connection",
    sync_failed: "Could not send. We will try again soon.",
    needs_enrolment: "This phone was removed by the care team. Your entries are kept. Ask the team for a new code.",
    team_saw: "The team saw this at {time}:",
    team_saw_no_time: "The team saw this:",
    team_open: "Sent to the team. They will look at it soon:",
    alert_urgent: "Urgent",
    alert_emergency: "Emergency",
    saved: "Saved. It is sealed and safe on this phone.",
    saved_sent: "Saved and sent to the team.",
    record_back: "Back",
    record_missing: "This form is not on the phone yet. Connect to the internet once, then try again.",
    record_title: "Record",
    cancel: "Cancel",
    history_title: "History",
    history_empty: "No entries yet.",
    history_chart: "Temperatures of the last days, in °C",
    status_waiting: "Waiting to send",
    status_sending: "Sending",
    status_sent: "Sent",
    status_quarantined: "Sent. The care team will check it.",
    status_rejected: "Not delivered",
    rejected_help: "Not delivered: {reason}. If you are worried, call the care team.",
    quarantined_help: "The team got this entry, but part of it could not be read: {reason}. The team will check it.",
    try_again: "Try again",
    ask_team: "Ask the team",
    ask_team_help: "Ask the team: call the care team and tell them about this entry.",
    settings_title: "Settings",
    language: "Language",
    this_phone: "This phone",
    remove_phone: "Remove this phone",
    remove_confirm: "Remove this phone from Homeward? Everything on it will be deleted.",
    remove_confirm_waiting: "{count} entries are not sent yet. They will be lost. Remove anyway?",
    remove_confirm_waiting_one: "1 entry is not sent yet. It will be lost. Remove anyway?",
    removed: "This phone was removed. You can connect it again with a new code.",
    app_version: "App version {version}",
    update_ready: "A new version is ready. It will be used next time you open the app.",
    temperature: "Temperature",
    unknown_form: "Form",
    reminder_set: "We will remind you here at {time}.",
    reminder_notify: "Also remind me with a phone notification",
    reminder_notify_on: "You will get a notification too.",
    reminder_notify_off: "No notification: the reminder will be on Today.",
    reminder_due: "Measure again now",
    reminder_next: "Measure again",
    form_not_in_language: "This form is not in {language} yet. It is shown in {shown}.",
    language_name_en: "English",
    language_name_es: "Spanish",
    switch_to_en: "Switch to English",
    switch_to_es: "Switch to Spanish",
    time_in_zone: "{time} ({zone} time)",
    reminders_title: "Reminders",
    reminders_open_only: "Homeward reminds you while the app is open. When it is closed, this phone cannot remind you. Set an alarm for the times on Today.",
    reminders_possible: "Homeward reminds you while the app is open. This phone can also check now and then when the app is closed.",
    reminders_periodic: "When the app is closed, this phone checks now and then and shows a notification if something is due. The phone decides when, so it can be late. Keep an alarm too.",
    reminders_denied: "Notifications are off for Homeward. Reminders show on Today while the app is open.",
    reminders_turn_on: "Remind me when something is due",
    due_notification_title: "Homeward",
    due_notification_body: "Something is due in the app.",
    reminder_at: "at {time}",
    advice_done: "Back to Today",
  },
  es: {
    app_name: "Homeward",
    skip: "Saltar al contenido",
    insecure_title: "Esta página no es segura",
    insecure_body: "Homeward solo funciona con una conexión segura (una dirección que empieza por https). Pida el enlace correcto al equipo.",
    unsupported: "Este navegador no puede guardar sus datos de forma segura. Use Chrome, Safari o Firefox actualizados.",
    loading: "Abriendo…",
    enrol_title: "Conectar este teléfono",
    enrol_intro: "El equipo de cuidados le dio un código. Está en la pantalla que le mostraron.",
    enrol_code: "Código del equipo",
    enrol_code_hint: "12 letras y números, como 1B4D-EHNJ-CFV5",
    enrol_name: "Un nombre para este teléfono",
    enrol_name_default: "Teléfono de la familia",
    enrol_who: "¿Quién usará este teléfono?",
    enrol_who_parent: "Yo, el padre, la madre o quien cuida",
    enrol_who_child: "Mi hijo o hija (12 años o más), si el equipo lo dijo",
    enrol_button: "Conectar",
    enrolling: "Conectando…",
    enrol_code_missing: "Escriba el código, por favor.",
    enrol_code_bad: "Este código no es correcto. Revíselo y vuelva a intentarlo.",
    enrol_code_used: "Este código ya se usó. Pida uno nuevo al equipo.",
    enrol_code_expired: "Este código es muy antiguo. Pida uno nuevo al equipo.",
    enrol_too_many: "Demasiados intentos. Espere 15 minutos y vuelva a intentarlo.",
    enrol_offline: "No hay conexión. Conéctese a internet y vuelva a intentarlo.",
    enrol_failed: "No se pudo conectar. Inténtelo de nuevo en un momento.",
    enrol_child_mismatch: "Este código es para un adulto, así que este teléfono queda para el adulto.",
    enrol_again: "Conectar de nuevo con un código nuevo",
    install_title: "Ponga Homeward en su pantalla de inicio",
    install_body: "Así se abre como una app, incluso sin señal.",
    install_button: "Añadir a la pantalla de inicio",
    install_ios: "En iPhone: toque Compartir y luego «Añadir a pantalla de inicio».",
    install_later: "Ahora no",
    nav_today: "Hoy",
    nav_history: "Historial",
    nav_settings: "Ajustes",
    today_title: "Hoy",
    day_post_infusion: "Día {day} después de la infusión",
    day_before_infusion: "La infusión es mañana.",
    days_to_infusion: "Faltan {days} días para la infusión.",
    clock_wrong: "La fecha o la hora de este teléfono está mal. Ajuste el reloj del teléfono. Hasta entonces, lo pendiente puede salir a una hora equivocada.",
    due_now: "Para hacer ahora",
    due_next: "Después",
    nothing_due: "Nada que hacer ahora.",
    due_at: "para el {time}",
    record_temperature: "Anotar una temperatura ahora",
    record_diary: "Anotar síntomas ahora",
    record_other: "Otros formularios",
    last_temperatures: "Últimas temperaturas",
    no_temperatures: "Aún no hay temperaturas.",
    sync_all_sent: "Todo enviado a las {time}.",
    sync_never: "Aún no se ha enviado nada.",
    sync_waiting_one: "1 registro esperando para enviarse — está seguro en este teléfono.",
    sync_waiting_many: "{count} registros esperando para enviarse — están seguros en este teléfono.",
    sync_sending: "Enviando…",
    sync_rejected_one: "1 registro no se entregó. Vea el Historial.",
    sync_rejected_many: "{count} registros no se entregaron. Vea el Historial.",
    sync_now: "Enviar ahora",
    sync_offline: "No hay conexión. Se enviarán cuando vuelva la conexión.",
    offline_short: "Sin conexión",
    sync_failed: "No se pudo enviar. Lo intentaremos de nuevo pronto.",
    needs_enrolment: "El equipo quitó este teléfono. Sus registros se guardan. Pida un código nuevo al equipo.",
    team_saw: "El equipo lo vio a las {time}:",
    team_saw_no_time: "El equipo lo vio:",
    team_open: "Enviado al equipo. Lo revisarán pronto:",
    alert_urgent: "Urgente",
    alert_emergency: "Emergencia",
    saved: "Guardado. Está sellado y seguro en este teléfono.",
    saved_sent: "Guardado y enviado al equipo.",
    record_back: "Volver",
    record_missing: "Este formulario aún no está en el teléfono. Conéctese a internet una vez y vuelva a intentarlo.",
    record_title: "Anotar",
    cancel: "Cancelar",
    history_title: "Historial",
    history_empty: "Aún no hay registros.",
    history_chart: "Temperaturas de los últimos días, en °C",
    status_waiting: "Esperando para enviarse",
    status_sending: "Enviando",
    status_sent: "Enviado",
    status_quarantined: "Enviado. El equipo lo revisará.",
    status_rejected: "No entregado",
    rejected_help: "No entregado: {reason}. Si le preocupa algo, llame al equipo.",
    quarantined_help: "El equipo recibió este registro, pero una parte no se pudo leer: {reason}. El equipo lo revisará.",
    try_again: "Intentar de nuevo",
    ask_team: "Preguntar al equipo",
    ask_team_help: "Pregunte al equipo: llame al equipo y cuénteles sobre este registro.",
    settings_title: "Ajustes",
    language: "Idioma",
    this_phone: "Este teléfono",
    remove_phone: "Quitar este teléfono",
    remove_confirm: "¿Quitar este teléfono de Homeward? Se borrará todo lo que hay en él.",
    remove_confirm_waiting: "{count} registros aún no se han enviado. Se perderán. ¿Quitar de todos modos?",
    remove_confirm_waiting_one: "1 registro aún no se ha enviado. Se perderá. ¿Quitar de todos modos?",
    removed: "Se quitó este teléfono. Puede conectarlo de nuevo con un código nuevo.",
    app_version: "Versión de la app {version}",
    update_ready: "Hay una versión nueva. Se usará la próxima vez que abra la app.",
    temperature: "Temperatura",
    unknown_form: "Formulario",
    reminder_set: "Se lo recordaremos aquí a las {time}.",
    reminder_notify: "Recordármelo también con una notificación",
    reminder_notify_on: "También recibirá una notificación.",
    reminder_notify_off: "Sin notificación: el recordatorio estará en Hoy.",
    reminder_due: "Vuelva a medir ahora",
    reminder_next: "Vuelva a medir",
    form_not_in_language: "Este formulario aún no está en {language}. Se muestra en {shown}.",
    language_name_en: "inglés",
    language_name_es: "español",
    switch_to_en: "Cambiar a inglés",
    switch_to_es: "Cambiar a español",
    time_in_zone: "{time} (hora de {zone})",
    reminders_title: "Recordatorios",
    reminders_open_only: "Homeward le avisa mientras la app está abierta. Si está cerrada, este teléfono no puede avisarle. Ponga una alarma para las horas de Hoy.",
    reminders_possible: "Homeward le avisa mientras la app está abierta. Este teléfono también puede revisar de vez en cuando con la app cerrada.",
    reminders_periodic: "Con la app cerrada, este teléfono revisa de vez en cuando y avisa si hay algo pendiente. El teléfono decide cuándo, así que puede llegar tarde. Ponga también una alarma.",
    reminders_denied: "Las notificaciones están apagadas para Homeward. Los recordatorios aparecen en Hoy mientras la app está abierta.",
    reminders_turn_on: "Avisarme cuando haya algo pendiente",
    due_notification_title: "Homeward",
    due_notification_body: "Hay algo pendiente en la app.",
    reminder_at: "el {time}",
    advice_done: "Volver a Hoy",
  },
};

export const LANGUAGES = [["en", "English"], ["es", "Español"]];
let current = "en";

export function setLanguage(language) {
  current = WORDS[language] ? language : "en";
  document.documentElement.lang = current;
  const skip = document.querySelector(".skip");
  if (skip) skip.textContent = t("skip");
  return current;
}

export function language() {
  return current;
}

/** t("due_at", {time: "10:00"}): the sentence in the current language (or the one named),
 * English if missing. */
export function t(key, values = {}, language = current) {
  const text = WORDS[language]?.[key] ?? WORDS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export function pickLanguage(text) {
  // Definition texts are {en, es} objects, or already one language's string.
  if (text == null) return "";
  if (typeof text === "string") return text;
  return text[current] ?? text.en ?? Object.values(text)[0] ?? "";
}

/** The language pickLanguage(text) shows, when it is not the app's: for a `lang` attribute,
 * so a screen reader reads an English-only title under a Spanish app in English. */
export function otherLanguageOf(text) {
  if (text == null || typeof text === "string" || text[current]) return null;
  return text.en ? "en" : (Object.keys(text)[0] ?? null);
}

/** "08:00 AM" in the child's zone (the profile's), labelled as labelZone says. */
export function formatTime(iso, timeZone) {
  return labelZone(clockTime(iso, timeZone, {hour: "2-digit", minute: "2-digit"}), iso, timeZone);
}

/** "Fri 08:00 AM" in the child's zone, labelled as labelZone says. */
export function formatDayTime(iso, timeZone) {
  return labelZone(clockTime(iso, timeZone, {weekday: "short", hour: "2-digit", minute: "2-digit"}),
    iso, timeZone);
}

/** A due time: the same rule as every other time the app shows. */
export const formatDueTime = formatDayTime;

/** `time`, the moment `iso` as shown in the child's zone. Every time the app shows is in
 * the child's zone, as the server makes it; when this phone's own clock would show that
 * moment differently (a family travelling), the time says whose clock it is: "Fri 08:00 AM
 * (New York time)". A family at home never sees the label. */
export function labelZone(time, iso, timeZone, language = current) {
  if (!timeZone || sameOnThisPhone(iso, timeZone)) return time;
  const zone = timeZone.split("/").pop().replace(/_/g, " ");
  return t("time_in_zone", {time, zone}, language);
}

function sameOnThisPhone(iso, timeZone) {
  // Day and minute: two zones a whole day apart (Kiritimati, Honolulu) show the same hour.
  const options = {weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
  try {
    const there = new Intl.DateTimeFormat("en", {...options, timeZone}).format(new Date(iso));
    return there === new Intl.DateTimeFormat("en", options).format(new Date(iso));
  } catch {
    return true;  // a zone this browser does not know: clockTime fell back to the phone's
  }
}

function clockTime(iso, timeZone, options) {
  try {
    return new Intl.DateTimeFormat(current, timeZone ? {...options, timeZone} : options).format(new Date(iso));
  } catch {
    return new Date(iso).toLocaleString(current, options);  // an unknown zone, or no date at all
  }
}
